import { describe, expect, it } from 'vitest';
import { createScenarioClock } from '../../src/flows/scenarios/inject/clock.js';
import { createScenarioPollClock } from '../../src/flows/scenarios/inject/poll-clock.js';

describe('the scenario poll clock', () => {
  it('times a request out when the scenario clock passes its deadline, not before', () => {
    const clock = createScenarioClock(() => 1_000_000);
    const poll = createScenarioPollClock(clock);
    const timeout = poll.timeout(30_000);
    clock.advance(29_999);
    expect(timeout.signal.aborted).toBe(false);
    clock.advance(1);
    expect(timeout.signal.aborted).toBe(true);
    expect((timeout.signal.reason as Error).message).toBe('no answer within 30000 ms');
    timeout.cancel();
  });

  it('forgets a cancelled timeout', () => {
    const clock = createScenarioClock(() => 0);
    const poll = createScenarioPollClock(clock);
    const timeout = poll.timeout(1000);
    timeout.cancel();
    clock.advance(60_000);
    expect(timeout.signal.aborted).toBe(false);
  });

  it('records every wait the poller asks for, while waiting only a few real ms', async () => {
    const clock = createScenarioClock(() => 0);
    const poll = createScenarioPollClock(clock);
    const started = performance.now();
    await poll.sleep(5000);
    await poll.sleep(250);
    expect(poll.waits).toEqual([5000, 250]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(clock.now()).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { BroadcastClient } from '../../src/agent-sim/broadcast-client.js';
import { catchUpAfter, historySince } from '../../src/agent-sim/broadcast-recovery.js';

const DAY = 24 * 3_600_000;

describe('the agent reconnect rule (contract §4.3)', () => {
  it.each([
    [0, 'skip'],
    [59_999, 'skip'],
    [60_000, 'history'],
    [DAY - 10 * 60_000, 'history'],
    [DAY - 10 * 60_000 + 1, 'reset'],
    [30 * DAY, 'reset'],
  ] as const)('after %i ms offline: %s', (gap, rule) => {
    expect(catchUpAfter(gap)).toBe(rule);
  });

  it.each([
    ['a fresh session asks from 10 s before it began', [], (1_000_000 - 10_000) * 10_000],
    [
      'a resumed one from 12 s before the last message',
      [{ timetoken: 5_000_000_000 }],
      5_000_000_000 - 12_000 * 10_000,
    ],
  ])('%s', (_what, received, since) => {
    expect(historySince({ received } as unknown as BroadcastClient, 1_000_000)).toBe(since);
  });
});

/** A PollClock on virtual time: sleeps move time forward at once, timeouts fire when time passes them. */
import type { PollClock } from '../../src/agent-sim/poller.js';

export interface FakeClock extends PollClock {
  /** Every wait the code under test asked for, in order. */
  readonly sleeps: number[];
  /** Moves time on (e.g. while a request "hangs"), firing the timeouts that fall due. */
  advance(ms: number): void;
}

export function createFakeClock(start = 0): FakeClock {
  let t = start;
  const timers = new Set<{ at: number; fire: () => void }>();
  const fireDue = () => {
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) {
      if (timer.at > t) break;
      timers.delete(timer);
      timer.fire();
    }
  };
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    async sleep(ms, signal) {
      if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
      sleeps.push(ms);
      t += ms;
      fireDue();
    },
    timeout(ms) {
      const controller = new AbortController();
      const timer = {
        at: t + ms,
        fire: () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
      };
      timers.add(timer);
      return { signal: controller.signal, cancel: () => void timers.delete(timer) };
    },
    advance(ms) {
      t += ms;
      fireDue();
    },
  };
}

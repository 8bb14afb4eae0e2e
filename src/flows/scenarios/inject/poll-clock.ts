/**
 * The check-signup poller's clock in a scenario: time from the scenario clock, short real waits between
 * ticks, per-request timeouts that expire when the scenario clock passes them (a hung call costs no wall
 * time), and a gate the scenario can close ("the agent's next check comes 11 minutes later") or count
 * ("the browser opens only after N pending answers"), so timing scenarios are deterministic.
 */
import { realClock, type PollClock } from '../../../agent-sim/poller.js';
import { AppError } from '../../../errors.js';
import type { ScenarioClock } from './clock.js';

/** A PollClock a scenario can hold, release and count ticks of. */
export interface ScenarioPollClock extends PollClock {
  /** Holds every tick at its wait until release(). */
  hold(): void;
  release(): void;
  /** Resolves once the poller has waited between ticks `n` times, i.e. after n answers. */
  waitForTicks(n: number, signal?: AbortSignal): Promise<void>;
  /** Every wait the poller asked for, in order: intervals between ticks and backoffs before retries. */
  readonly waits: readonly number[];
}

// A real pause between ticks, short so a scenario polls many times in a few ms of wall time.
const REAL_WAIT_MS = 5;

/** A poll clock on the scenario's time, open until hold() is called. */
export function createScenarioPollClock(clock: Pick<ScenarioClock, 'now' | 'onAdvance'>): ScenarioPollClock {
  const now = clock.now;
  const real = realClock(now);
  const waits: number[] = [];
  let held = false;
  let ticks = 0;
  const gate: Array<() => void> = [];
  const tickWaiters: Array<{ n: number; resolve: () => void }> = [];
  const notify = () => {
    for (const w of tickWaiters.filter((x) => ticks >= x.n)) {
      tickWaiters.splice(tickWaiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    now,
    waits,
    timeout(ms) {
      // Expires when the scenario clock passes the deadline; the real timer stays as a backstop.
      const backstop = real.timeout(ms);
      const controller = new AbortController();
      const deadline = now() + ms;
      const expire = () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
      const off = clock.onAdvance(() => {
        if (now() < deadline) return;
        off();
        expire();
      });
      backstop.signal.addEventListener('abort', expire, { once: true });
      return {
        signal: controller.signal,
        cancel() {
          off();
          backstop.cancel();
        },
      };
    },
    async sleep(ms, signal) {
      waits.push(ms);
      ticks += 1;
      notify();
      if (held) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(new AppError('FLOW_ABORTED', 'interrupted while the poller was held'));
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          gate.push(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          });
        });
      }
      await real.sleep(Math.min(ms, REAL_WAIT_MS), signal);
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const go of gate.splice(0)) go();
    },
    waitForTicks(n, signal) {
      if (ticks >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        signal?.addEventListener(
          'abort',
          () => reject(new AppError('FLOW_ABORTED', 'interrupted while waiting for polls')),
          { once: true },
        );
        tickWaiters.push({ n, resolve });
      });
    },
  };
}

/** An injected clock that scenarios move forward between steps, so "the user took 11 minutes" costs nothing. */

/** The scenario's notion of now, which it moves forward instead of waiting. */
export interface ScenarioClock {
  now: () => number;
  advance(ms: number): void;
  /** How far the clock was moved in total. */
  readonly offsetMs: number;
  /** Calls `listener` after every advance (timeouts that run on this clock); returns the unsubscribe. */
  onAdvance(listener: () => void): () => void;
}

/** Runs `base` plus every advance made so far. */
export function createScenarioClock(base: () => number): ScenarioClock {
  let offset = 0;
  const listeners = new Set<() => void>();
  return {
    now: () => base() + offset,
    advance(ms) {
      offset += ms;
      for (const listener of [...listeners]) listener();
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    get offsetMs() {
      return offset;
    },
  };
}

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

/** "11 min", "2 min 1 s", "450 ms": durations as people read them. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const totalS = Math.round(abs / 1000);
  const parts: string[] = [];
  const d = Math.floor(totalS / 86_400);
  const h = Math.floor((totalS % 86_400) / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  if (d) parts.push(`${d} d`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return parts.join(' ');
}

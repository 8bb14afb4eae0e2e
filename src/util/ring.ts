/**
 * Caps on what a long-lived server remembers (issue 14): journals, request logs, signup records and broadcaster
 * history keep the newest `cap` entries, so a `serve` or a library lab that runs for hours stays flat. A flow
 * finds its records by its own identifiers within seconds, so a cap far above the flows in flight keeps every
 * check correct.
 */
import { indexesOf } from './key-index.js';

/** Entries each journal, log or record set keeps by default. */
export const DEFAULT_RECORD_CAP = 10_000;

/**
 * Appends, then drops the oldest tenth once the list holds more than `cap`: at most `cap` entries, the newest
 * kept, and a copy only every cap/10 pushes rather than on each one. The list's indexes (key-index.ts) learn the
 * new entry and forget the dropped ones.
 */
export function pushCapped<T>(list: T[], item: T, cap: number = DEFAULT_RECORD_CAP): void {
  list.push(item);
  for (const index of indexesOf(list)) index.add(item);
  if (list.length <= cap) return;
  const dropped = list.splice(0, list.length - Math.max(0, cap - Math.ceil(cap / 10)));
  for (const index of indexesOf(list)) for (const old of dropped) index.remove(old);
}

/** Drops a map's oldest insertions (Map iterates in insertion order) until it holds at most `cap`. */
export function capMap<K, V>(map: Map<K, V>, cap: number = DEFAULT_RECORD_CAP): void {
  if (map.size <= cap) return;
  for (const key of map.keys()) {
    if (map.size <= cap) return;
    map.delete(key);
  }
}

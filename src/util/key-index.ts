/**
 * Finds a journal's entries by the identifiers they carry (a state, a code, a token, a channel) in one map
 * lookup, where a filter over the whole journal grew with every flow a lab had run (issue 14: the isolation
 * step scanned every environment's journals, users and broadcasts, so a load of N flows cost N² checks).
 * An entry's keys are taken once, when it is added: later changes to the entry do not move it.
 */
const NONE: readonly never[] = Object.freeze([]);

export class KeyIndex<T> {
  private readonly byKey = new Map<string, T[]>();
  // Held strongly, as the journal list holds its entries; a dropped entry is removed from both.
  private readonly keysOf = new Map<T, readonly string[]>();

  constructor(private readonly keys: (entry: T) => Iterable<string>) {}

  add(entry: T): void {
    const keys = [...new Set(this.keys(entry))];
    this.keysOf.set(entry, keys);
    for (const key of keys) {
      const list = this.byKey.get(key);
      if (list) list.push(entry);
      else this.byKey.set(key, [entry]);
    }
  }

  /** Forgets an entry (a capped journal dropped it); the oldest entries sit first, so this is cheap for them. */
  remove(entry: T): void {
    const keys = this.keysOf.get(entry);
    if (keys === undefined) return;
    this.keysOf.delete(entry);
    for (const key of keys) {
      const list = this.byKey.get(key);
      if (list === undefined) continue;
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.byKey.delete(key);
    }
  }

  /** Takes an entry's keys anew (an entry completed after it was added: a request whose body came later). */
  reindex(entry: T): void {
    this.remove(entry);
    this.add(entry);
  }

  /** The entries that carried `key`, oldest first (a copy-free view: do not change it). */
  get(key: string): readonly T[] {
    return this.byKey.get(key) ?? NONE;
  }

  clear(): void {
    this.byKey.clear();
    this.keysOf.clear();
  }
}

/** `name=value` for each query parameter (decoded), the keys a journal of requests is found by. */
export function queryKeys(rawQuery: string): string[] {
  if (rawQuery === '') return [];
  const keys: string[] = [];
  for (const [name, value] of new URLSearchParams(rawQuery)) keys.push(queryKey(name, value));
  return keys;
}

export function queryKey(name: string, value: string): string {
  return `${name}=${value}`;
}

/** Every string inside a JSON-like value (a message, a providerInfo): what a token search looks for. */
export function leafStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value !== null && typeof value === 'object')
    for (const inner of Array.isArray(value) ? value : Object.values(value)) leafStrings(inner, into);
  return into;
}

// The indexes of each journal list, made on first use and kept up to date by pushCapped (ring.ts), so the list
// stays a plain array for everything that reads it whole.
const registry = new WeakMap<object, Map<string, KeyIndex<unknown>>>();

/**
 * The index `name` of a journal list, filled from the entries already there on first use; later entries must
 * come in through pushCapped, and a list emptied by hand must be cleared with clearIndexes.
 */
export function indexOf<T>(list: readonly T[], name: string, keys: (entry: T) => Iterable<string>): KeyIndex<T> {
  let indexes = registry.get(list);
  if (indexes === undefined) registry.set(list, (indexes = new Map<string, KeyIndex<unknown>>()));
  let index = indexes.get(name) as KeyIndex<T> | undefined;
  if (index === undefined) {
    index = new KeyIndex(keys);
    for (const entry of list) index.add(entry);
    indexes.set(name, index as KeyIndex<unknown>);
  }
  return index;
}

/** The indexes a list has (pushCapped updates them). */
export function indexesOf<T>(list: readonly T[]): Iterable<KeyIndex<T>> {
  return (registry.get(list)?.values() ?? []) as Iterable<KeyIndex<T>>;
}

/** Forgets every index of a list that was emptied by hand (`list.length = 0`). */
export function clearIndexes(list: readonly unknown[]): void {
  registry.delete(list);
}

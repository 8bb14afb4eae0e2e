/**
 * Mongo-style dotted paths ("providerInfo.team.github.accessToken") over plain objects. Segments can come
 * from requests (a host, a Slack workspace id), so only own properties are read or written: "__proto__" or
 * "constructor" is a field name like any other, never a way into Object.prototype.
 */

const own = (obj: object, key: string): unknown => (Object.hasOwn(obj, key) ? Reflect.get(obj, key) : undefined);

/** Sets an own field; defineProperty, not assignment: `o["__proto__"] = v` would set the prototype instead. */
export function defineField(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The own property `key` of a lookup table, or undefined (never an inherited one such as "toString"). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = own(cur, key);
  }
  return cur;
}

/** Sets a value, creating intermediate objects (replacing non-objects) on the way. */
export function setPath(obj: object, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() ?? ''; // split always returns at least one segment
  let cur: object = obj;
  for (const key of keys) {
    const next = own(cur, key);
    if (next !== null && typeof next === 'object') cur = next;
    else {
      const created = {};
      defineField(cur, key, created);
      cur = created;
    }
  }
  defineField(cur, last, value);
}

export function unsetPath(obj: object, path: string): void {
  const keys = path.split('.');
  const last = keys.pop() ?? ''; // split always returns at least one segment
  const parent = keys.length === 0 ? obj : getPath(obj, keys.join('.'));
  if (parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last))
    Reflect.deleteProperty(parent, last);
}

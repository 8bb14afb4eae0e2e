/**
 * Mongo-style dotted paths ("providerInfo.team.github.accessToken") over plain objects. Segments can come
 * from requests (a host, a Slack workspace id), so only own properties are read or written: "__proto__" or
 * "constructor" is a field name like any other, never a way into Object.prototype.
 */

const own = (obj: object, key: string): unknown =>
  Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;

/** Sets an own field; defineProperty, not assignment: `o["__proto__"] = v` would set the prototype instead. */
export function defineField(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The own property `key` of a lookup table, or undefined (never an inherited one such as "toString"). */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return own(table, key) as T | undefined;
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
  let cur: object = obj;
  for (const key of keys.slice(0, -1)) {
    let next = own(cur, key);
    if (next === null || typeof next !== 'object') {
      next = {};
      defineField(cur, key, next);
    }
    cur = next as object;
  }
  defineField(cur, keys.at(-1) as string, value);
}

export function unsetPath(obj: object, path: string): void {
  const keys = path.split('.');
  const parent = keys.length === 1 ? obj : getPath(obj, keys.slice(0, -1).join('.'));
  const last = keys.at(-1) as string;
  if (parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last))
    delete (parent as Record<string, unknown>)[last];
}

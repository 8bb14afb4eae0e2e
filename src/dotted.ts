/** Mongo-style dotted paths ("providerInfo.team.github.accessToken") over plain objects. */

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Sets a value, creating intermediate objects (replacing non-objects) on the way. */
export function setPath(obj: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys.at(-1) as string] = value;
}

export function unsetPath(obj: object, path: string): void {
  const keys = path.split('.');
  const parent = keys.length === 1 ? obj : getPath(obj, keys.slice(0, -1).join('.'));
  if (parent !== null && typeof parent === 'object') delete (parent as Record<string, unknown>)[keys.at(-1) as string];
}

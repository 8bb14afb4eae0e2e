/**
 * Optional fields under `exactOptionalPropertyTypes`: a field whose value is undefined must be left out, not
 * set to undefined. `{ ...defined({ env, detail }) }` keeps the fields that have a value.
 */
export type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

export function defined<T extends object>(fields: T): Defined<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as Defined<T>;
}

/** Reading JSON from untrusted text (request bodies, payload fields, pages) without throwing. */

/** A JSON object (not an array, not null); the one guard every reader of untrusted JSON uses. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a JSON object, else an empty one: for optional object fields read from outside. */
export function objectOrEmpty(value: unknown): Record<string, unknown> {
  return isJsonObject(value) ? value : {};
}

/** Any JSON value, or undefined when the text is not JSON. */
export function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value;
  } catch {
    return undefined;
  }
}

/** A JSON object, or undefined when the text is not JSON or holds another kind of value. */
export function parseJsonObject(text: string | null | undefined): Record<string, unknown> | undefined {
  const value = parseJson(text);
  return isJsonObject(value) ? value : undefined;
}

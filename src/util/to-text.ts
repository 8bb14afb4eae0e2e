/**
 * A value of unknown type as text for a message: a string as it is, a number, boolean or undefined as String()
 * prints it, null, arrays and objects as JSON (never "[object Object]").
 */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    // A circular object or one holding a bigint.
    return Object.prototype.toString.call(value);
  }
}

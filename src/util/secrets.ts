/** Secrets the flows learn at run time, shown shortened in every rendered line unless --show-secrets. */

/**
 * Redacts registered secrets and JWT-looking strings; renderers take `redact`/`redactDeep` from it. The members
 * are function-typed properties, not methods, because callers pass them on unbound (`{ redact: secrets.redact }`).
 */
export interface SecretRegistry {
  /** Registers a secret; undefined and too-short values are ignored. */
  add: (value: string | undefined) => void;
  redact: (text: string) => string;
  redactDeep: <T>(value: T) => T;
}

// note: anything shorter would turn ordinary words into "abc…" all over the output.
const MIN_SECRET_LENGTH = 6;

// Any JWT counts as a secret even before a flow registers it (pauth tokens show up in URLs first).
const JWT_SOURCE = String.raw`eyJ[\w-]+\.[\w-]+\.[\w-]*`;

/** The shortened form: `gho_1a…9f2c`, or `Aut…` for values under 12 characters. */
export function shortenSecret(value: string): string {
  return value.length < 12 ? `${value.slice(0, 3)}…` : `${value.slice(0, 6)}…${value.slice(-4)}`;
}

/** A registry that starts empty and still shortens JWTs. */
export function createSecretRegistry(): SecretRegistry {
  // Maps each form a secret can appear in (raw, percent-encoded) to its shortened raw value.
  const secrets = new Map<string, string>();
  let pattern: RegExp | undefined;

  const add = (value: string | undefined): void => {
    if (value === undefined || value.length < MIN_SECRET_LENGTH || secrets.has(value)) return;
    const short = shortenSecret(value);
    secrets.set(value, short);
    // Secrets inside query strings and form bodies are usually percent-encoded.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) secrets.set(encoded, short);
    pattern = undefined;
  };

  const redact = (text: string): string => {
    pattern ??= buildPattern([...secrets.keys()]);
    return text.replace(pattern, (match) => secrets.get(match) ?? shortenSecret(match));
  };

  return { add, redact, redactDeep: (value) => mapStrings(value, redact) };
}

/** For --show-secrets: prints everything as is. */
export const noRedaction: SecretRegistry = {
  add: () => undefined,
  redact: (text) => text,
  redactDeep: (value) => value,
};

// One alternation, longest secret first, so a secret that contains another is replaced whole
// and a single pass never re-redacts its own output.
function buildPattern(values: string[]): RegExp {
  const alternatives = values.sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp([...alternatives, JWT_SOURCE].join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function mapStrings<T>(value: T, fn: (s: string) => string): T {
  return mapUnknown(value, fn) as T; // same shape, only string leaves change
}

function mapUnknown(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item: unknown) => mapUnknown(item, fn));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapUnknown(item, fn)]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

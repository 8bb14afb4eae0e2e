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

// note: a token can be printed before the step that learns it registers it: the implicit grant puts it in the
// redirect's fragment (Trello `#token=`, YouTrack `#access_token=`, RFC 6749 §4.2.2), which the hop before
// the check prints. So the value of a credential parameter in a query, fragment or form is a secret by its name.
const SECRET_PARAMS = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'client_secret',
  'client_assertion',
  'oauth_token_secret',
];
// The value stops at the next parameter; `(?!…)` leaves an already shortened value (`8a1a73…984b`) alone.
const PARAM_SOURCE = String.raw`(?<=(?:^|[?#&\s])(?:${SECRET_PARAMS.join('|')})=)[^&#\s"'<>…]{${MIN_SECRET_LENGTH},}(?![^&#\s"'<>]*…)`;
// Authorization header values (RFC 6750 §2.1, RFC 7617): the credential after the scheme.
const AUTH_SOURCE = String.raw`(?<=\b(?:Bearer|Basic) )[\w.~+/=-]{16,}(?![\w.~+/=-]*…)`;

// Fields whose whole string value is a credential, whatever it looks like (event fields, headers, results).
const SECRET_KEY =
  /^(?:(?:access|refresh|id|server|bot|broadcaster)[_-]?token|token|(?:client|token)[_-]?secret|password|cookie|set-cookie)$/i;
// Authorization headers of any scheme (OAuth 1.0a's carries oauth_token and the signature): keep the scheme only.
const AUTH_KEY = /^(?:proxy-)?authorization$/i;

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

  const shorten = (value: string): string =>
    value.length < MIN_SECRET_LENGTH || value.includes('…') ? value : (secrets.get(value) ?? shortenSecret(value));
  const redactField = (key: string, value: string): string => {
    if (SECRET_KEY.test(key)) return shorten(value);
    const scheme = AUTH_KEY.test(key) ? /^(\S+) (.+)$/.exec(value) : null;
    return scheme ? `${scheme[1]} ${shorten(scheme[2] ?? '')}` : redact(value);
  };

  return { add, redact, redactDeep: (value) => mapStrings(value, redact, redactField) };
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
  return new RegExp([...alternatives, JWT_SOURCE, PARAM_SOURCE, AUTH_SOURCE].join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type FieldFn = (key: string, value: string) => string;

function mapStrings<T>(value: T, fn: (s: string) => string, field: FieldFn): T {
  return mapUnknown(value, fn, field) as T; // same shape, only string leaves change
}

function mapUnknown(value: unknown, fn: (s: string) => string, field: FieldFn): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item: unknown) => mapUnknown(item, fn, field));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        typeof item === 'string' ? field(key, item) : mapUnknown(item, fn, field),
      ]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

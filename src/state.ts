/**
 * The CodeStream OAuth `state` string (contract §2.2):
 *   <callbackEnvironment>!<pauth JWT>[!<host>][!<oasec JWT>]
 * Pure: no clock, no I/O, no randomness.
 */
import { AppError } from './errors.js';
import { defined } from './util/defined.js';

export interface StateParts {
  /** Segment 0: the environment the auth-origin router sends the callback to. */
  env: string;
  /** Segment 1: the signed pauth JWT. */
  jwt: string;
  /** Segment 2, special-decoded: the enterprise host, when there is one. */
  host?: string;
  /** Segment 3: the OAuth 1.0a request-token secret as an `oasec` JWT. */
  oasec?: string;
}

export class StateError extends AppError {
  constructor(message: string, detail?: Record<string, unknown>) {
    super('STATE_MALFORMED', message, defined({ detail }));
  }
}

// Contract §2.2: proxies may decode %-escapes, so OAuth 1 callbacks carry the host with these stand-ins.
const COLON = '***(_colon_)';
const SLASH = '***(_slash_)';

/** Replaces ":" and "/" with CodeStream's proxy-proof stand-ins. */
export function specialEncode(text: string): string {
  return text.replaceAll(':', COLON).replaceAll('/', SLASH);
}

/** Reverses specialEncode; a raw host passes through unchanged. */
export function specialDecode(text: string): string {
  return text.replaceAll(COLON, ':').replaceAll(SLASH, '/');
}

export interface EncodeOptions {
  /** Special-encode the host segment (OAuth 1 does, OAuth 2 does not). */
  encodeHost?: boolean;
}

/** Joins the segments; the host is lowercased as provider-auth does. */
export function encodeState(parts: StateParts, { encodeHost = false }: EncodeOptions = {}): string {
  const segments = [parts.env, parts.jwt];
  if (parts.host !== undefined || parts.oasec !== undefined) {
    const host = (parts.host ?? '').toLowerCase();
    segments.push(encodeHost ? specialEncode(host) : host);
  }
  if (parts.oasec !== undefined) segments.push(parts.oasec);
  return segments.join('!');
}

export interface DecodeOptions {
  /**
   * What to do with segments after the fourth: the API ignores them (contract §1.10, provider-token reads only
   * segments 1 to 3); the inspector refuses them (the default), since no CodeStream server ever writes them.
   */
  extraSegments?: 'ignore' | 'refuse';
}

/** Splits a state on "!" (contract §2.3); throws StateError when the JWT segment is missing. */
export function decodeState(raw: string, { extraSegments = 'refuse' }: DecodeOptions = {}): StateParts {
  if (typeof raw !== 'string' || raw.length === 0) throw new StateError('state is empty');
  const [env = '', jwt, host, oasec, ...rest] = raw.split('!');
  if (jwt === undefined || jwt.length === 0) {
    throw new StateError(`state "${truncate(raw)}" has no JWT segment after the first "!"`, { raw });
  }
  if (rest.length > 0 && extraSegments === 'refuse')
    throw new StateError(`state has ${4 + rest.length} segments, at most 4 are allowed`, { raw });
  return {
    env,
    jwt,
    ...(host === undefined || host === '' ? {} : { host: specialDecode(host) }),
    ...(oasec === undefined || oasec === '' ? {} : { oasec }),
  };
}

/** The environment prefix as the router reads it: the text before the first "!", or undefined. */
export function environmentOf(raw: string): string | undefined {
  const bang = raw.indexOf('!');
  return bang <= 0 ? undefined : raw.slice(0, bang);
}

/** Enterprise hosts key providerInfo with dots replaced by "*" (contract §3.1). */
export function starHost(host: string): string {
  return host.replaceAll('.', '*');
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

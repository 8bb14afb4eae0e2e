/** Every request a mock server receives, for checks and reports, and what the journals keep of a failure. */
import { inspect } from 'node:util';
import type { Request, Response } from 'express';
import { defineField } from '../util/dotted.js';

/** profile: the user-profile call after a sharing connect (Slack users.info). */
export type ProviderEndpoint =
  'authorize' | 'consent' | 'token' | 'identity' | 'profile' | 'request-token' | 'access-token' | 'unknown';

export interface RecordedRequest {
  endpoint: ProviderEndpoint;
  method: string;
  path: string;
  /** The raw query string after "?", exactly as received. */
  rawQuery: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The raw request body as text ('' when none). */
  rawBody: string;
  /** Parameters read from the body, whatever its encoding. */
  body: Record<string, string>;
  /** How parameters arrived: query (no body), formQuery (urlencoded), form (multipart), json. */
  format: 'query' | 'formQuery' | 'form' | 'json' | 'none';
  status?: number;
  /** The Location answered, as sent (the real-browser flows read where the provider sent the browser). */
  location?: string;
  /** An error no route meant to throw (a bug), as describeError words it; the answer was a 500. */
  error?: string;
  at: number;
}

/** Flattens an express request's headers to single strings. */
export function headersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Request parameters as name → first value, plus the names sent more than once, which RFC 6749 §3.1
 * forbids. Own properties only: a parameter named "constructor" or "__proto__" is just a parameter.
 */
export function paramsOf(pairs: Iterable<[string, string]>): { params: Record<string, string>; repeated: string[] } {
  const params: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, value] of pairs) {
    if (Object.hasOwn(params, key)) {
      if (!repeated.includes(key)) repeated.push(key);
      continue;
    }
    defineField(params, key, value);
  }
  return { params, repeated };
}

export function queryOf(rawQuery: string): Record<string, string> {
  return paramsOf(new URLSearchParams(rawQuery)).params;
}

const entries = new WeakMap<Response, RecordedRequest>();

/** Ties a journal entry to the response that answers its request (the journaling middleware does). */
export function keepJournalEntry(res: Response, entry: RecordedRequest): void {
  entries.set(res, entry);
}

/** The journal entry of the request being answered, as the journaling middleware stored it. */
export function journalEntryOf(res: Response): RecordedRequest | undefined {
  return entries.get(res);
}

export function rawQueryOf(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q < 0 ? '' : req.originalUrl.slice(q + 1);
}

/** An error no route meant to throw, in words for a journal: "TypeError: x is not a function". */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `a thrown ${typeof err}: ${inspect(err, { depth: 2, breakLength: Infinity })}`;
}

/** An error express raised itself about the request, not about the server. */
export interface ClientError {
  status: number;
  message: string;
  /** body-parser's kind ("entity.parse.failed", "entity.too.large"), when it has one. */
  type: string | undefined;
}

/**
 * Bad input, never a bug: the http-errors express, its router and body-parser raise carry a 4xx `status`
 * (a path segment that is not valid %-encoding, a body over the limit, JSON that does not parse). Their
 * messages name no secrets.
 */
export function clientErrorOf(err: unknown): ClientError | undefined {
  if (!(err instanceof Error)) return undefined;
  const status = 'status' in err ? err.status : undefined;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const type = 'type' in err && typeof err.type === 'string' ? err.type : undefined;
  return { status, message: err.message, type };
}

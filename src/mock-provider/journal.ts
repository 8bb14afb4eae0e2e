/** Every request a mock server receives, for checks and reports, and what the journals keep of a failure. */
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
  /** The request token this request was answered with (OAuth 1.0a request-token), so a run finds its own call. */
  issuedRequestToken?: string;
  /** An error no route meant to throw (a bug), as describeError words it; the answer was a 500. */
  error?: string;
  at: number;
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

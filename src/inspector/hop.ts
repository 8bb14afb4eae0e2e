/** One hop as the inspector keeps it: a tapped exchange, who sent it, what it names, and its checks. */
import { decodeJwt } from 'jose/jwt/decode';
import type { Actor } from '../events.js';
import { journalEntryOf } from '../mock-provider/journal.js';
import { BROWSER_ROUTE } from '../flows/engine/contract.js';
import { isJsonObject, parseJson } from '../util/json.js';
import type { Box, TappedExchange } from './tap.js';

export interface HopCheck {
  name: string;
  ok: boolean;
  expected: string;
  actual: string;
  /** The contract section or RFC the expectation comes from. */
  source: string;
}

export interface Hop {
  from: Actor;
  to: Actor;
  box: Box;
  method: string;
  url: string;
  path: string;
  rawQuery: string;
  query: Record<string, string>;
  requestHeaders: Record<string, string>;
  requestBody: string;
  /** Parameters read from the request body (form or top-level JSON strings). */
  body: Record<string, string>;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  location?: string;
  startedAt: number;
  ms: number;
  truncated: boolean;
  /** The provider's name for the endpoint (its journal's), for a provider hop. */
  endpoint?: string;
  provider?: string;
  /** The environment name (lab config) the hop belongs to, when known. */
  env?: string;
  checks: HopCheck[];
}

const PROVIDER_PATH =
  /^\/(?:web|no-auth)\/(?:provider-auth|provider-token|provider-action|provider-connected)\/([^/?]+)/;
const BROWSER_ENDPOINTS = new Set(['authorize', 'consent', 'request-token', 'unknown']);

/** Builds the hop of an exchange (checks are added by the caller). */
export function hopOf(x: TappedExchange, envOfState: (state: string) => string | undefined): Hop {
  const q = x.target.indexOf('?');
  const path = q < 0 ? x.target : x.target.slice(0, q);
  const rawQuery = q < 0 ? '' : x.target.slice(q + 1);
  const query = firstValues(new URLSearchParams(rawQuery));
  const body = bodyParams(x.requestBody, x.requestHeaders['content-type'] ?? '');
  const endpoint = x.box === 'provider' ? journalEntryOf(x.res as never)?.endpoint : undefined;
  const isAction = path.startsWith('/no-auth/provider-action/');
  const to: Actor = x.box === 'router' && isAction ? 'proxy' : x.box;
  const from = senderOf(x.box, path, endpoint, isAction);
  const provider = x.box === 'provider' ? x.name : decodePart(PROVIDER_PATH.exec(path)?.[1]);
  const state = query.state ?? body.state;
  const env = x.box === 'api' ? x.name : state === undefined ? undefined : envOfState(state);
  const location = x.responseHeaders.location;
  return {
    from,
    to,
    box: x.box,
    method: x.method,
    url: `${x.origin}${x.target}`,
    path,
    rawQuery,
    query,
    requestHeaders: x.requestHeaders,
    requestBody: x.requestBody,
    body,
    status: x.status,
    responseHeaders: x.responseHeaders,
    responseBody: x.responseBody,
    ...(location === undefined ? {} : { location }),
    startedAt: x.startedAt,
    ms: x.ms,
    truncated: x.truncated,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(provider === undefined ? {} : { provider }),
    ...(env === undefined ? {} : { env }),
    checks: [],
  };
}

// Architecture "the two flows": the browser loads start routes, authorize, the callback and the pages; the
// agent calls the rest of the API; the API calls the provider's token and identity endpoints itself.
function senderOf(box: Box, path: string, endpoint: string | undefined, isAction: boolean): Actor {
  if (box === 'provider') return endpoint !== undefined && BROWSER_ENDPOINTS.has(endpoint) ? 'browser' : 'api';
  if (box === 'router') return isAction ? 'provider' : 'browser';
  if (box === 'api') return isAction ? 'proxy' : BROWSER_ROUTE.test(path) ? 'browser' : 'agent';
  if (box === 'proxy') return 'provider';
  return 'browser';
}

function decodePart(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function firstValues(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params)
    if (!Object.hasOwn(out, k)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
  return out;
}

function bodyParams(text: string, contentType: string): Record<string, string> {
  if (text === '') return {};
  if (contentType.includes('json')) {
    const value = parseJson(text);
    if (!isJsonObject(value)) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value))
      if (typeof v === 'string') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true });
    return out;
  }
  if (contentType.includes('x-www-form-urlencoded')) return firstValues(new URLSearchParams(text));
  return {};
}

/** The parameters of a Location (a relative one is read against the hop's URL); empty when unreadable. */
export function locationParams(hop: Pick<Hop, 'location' | 'url'>): Record<string, string> {
  if (hop.location === undefined) return {};
  try {
    return firstValues(new URL(hop.location, hop.url).searchParams);
  } catch {
    return {};
  }
}

/** The claims of a JWT, or undefined when the text is not one. */
export function claimsOf(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(jwt);
  } catch {
    return undefined;
  }
}

/** A JSON response body's top-level object, or undefined. */
export function responseJson(hop: Pick<Hop, 'responseBody'>): Record<string, unknown> | undefined {
  const value = parseJson(hop.responseBody);
  return isJsonObject(value) ? value : undefined;
}

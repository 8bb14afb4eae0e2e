/**
 * What ties hops into one flow (issue 17): the pauth a connect carries in its state, the signup token of a
 * sign-up (also inside the anonymous pauth as `st`, contract §2.1), the authorization code and the access
 * token between the browser leg and the API's server-to-server calls, and the app and environment of a
 * provider call. The user's own CS token is never a key: it would join every flow of that user.
 */
import { decodeState } from '../state.js';
import { parseJson } from '../util/json.js';
import { claimsOf, locationParams, responseJson, type Hop } from './hop.js';

const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]*$/;
// A CS error code (contract appendix A) in a `code` parameter is an answer, not an authorization code.
const CS_ERROR = /^[A-Z]+-\d+$/;

/** The keys of one hop; a hop with none joins a flow only by a redirect or by nesting. */
export function keysOf(hop: Hop, appKey?: string): string[] {
  const keys = new Set<string>();
  const loc = locationParams(hop);
  const json = responseJson(hop);
  const values = [...Object.values(hop.query), ...Object.values(hop.body), ...Object.values(loc)];
  if (typeof json?.code === 'string') values.push(json.code);
  for (const state of [hop.query.state, hop.body.state, loc.state]) {
    if (state === undefined) continue;
    try {
      values.push(decodeState(state).jwt);
    } catch {
      // not a CodeStream state: nothing ties by it
    }
  }
  for (const value of values) {
    if (!JWT.test(value)) continue;
    const claims = claimsOf(value);
    if (claims?.type !== 'pauth') continue;
    keys.add(`pauth:${value}`);
    if (typeof claims.st === 'string') keys.add(`signup:${claims.st}`);
  }
  if (hop.query.signupToken) keys.add(`signup:${hop.query.signupToken}`);
  if (hop.path === '/no-auth/check-signup' && hop.body.token) keys.add(`signup:${hop.body.token}`);
  for (const code of [hop.query.code, hop.body.code, loc.code]) {
    if (code !== undefined && code.length >= 6 && !CS_ERROR.test(code) && !JWT.test(code)) keys.add(`code:${code}`);
  }
  if (hop.box === 'provider') {
    const token = typeof json?.access_token === 'string' ? json.access_token : undefined;
    if (token) keys.add(`token:${token}`);
    const bearer = /^Bearer\s+(.+)$/i.exec(hop.requestHeaders.authorization ?? '')?.[1];
    if (bearer) keys.add(`token:${bearer}`);
  }
  if (appKey !== undefined) keys.add(appKey);
  return [...keys];
}

const SECRET_NAME = /token|secret|code|password|assertion|verifier|signature|key/i;

/** Every value of the hop that is a secret, for the registry that shortens them (util/secrets.ts). */
export function secretsOf(hop: Hop): string[] {
  const out: string[] = [];
  const json = responseJson(hop);
  const params: Array<[string, unknown]> = [
    ...Object.entries(hop.query),
    ...Object.entries(hop.body),
    ...Object.entries(locationParams(hop)),
    ...deepEntries(json ?? parseJson(hop.responseBody)),
    ...[...new URLSearchParams(isForm(hop) ? hop.responseBody : '')],
  ];
  for (const [name, value] of params) {
    if (typeof value === 'string' && SECRET_NAME.test(name) && !CS_ERROR.test(value)) out.push(value);
  }
  const auth = hop.requestHeaders.authorization;
  if (auth !== undefined) out.push(auth.replace(/^(Bearer|Basic)\s+/i, ''));
  for (const cookie of [hop.requestHeaders.cookie, hop.responseHeaders['set-cookie']]) {
    for (const m of (cookie ?? '').matchAll(/(?:^|[;,]\s*)[^=;,\s]+=([^;,]+)/g)) if (m[1]) out.push(m[1]);
  }
  return out;
}

function isForm(hop: Hop): boolean {
  return (hop.responseHeaders['content-type'] ?? '').includes('x-www-form-urlencoded');
}

// Tokens sit deep in some answers (check-signup's login package: the me-object's providerInfo).
function deepEntries(value: unknown, depth = 0): Array<[string, unknown]> {
  if (depth > 8 || typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [[k, v] as [string, unknown], ...deepEntries(v, depth + 1)]);
}

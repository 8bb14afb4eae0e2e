/**
 * The rewrites a scenario applies to a browser request: which hop a URL is, its query edited without
 * re-encoding what it leaves alone, and the state damaged one segment at a time (oauth-rules §3.3).
 */
import { SignJWT } from 'jose/jwt/sign';
import { decodeJwt } from 'jose/jwt/decode';
import type { Actor } from '../../../events.js';
import type { HopName, StateTamper } from '../types.js';

/** Names a request by who answers it and where; undefined for hops no scenario rewrites. */
export function hopOf(target: URL, actor: Actor): HopName | undefined {
  const callback = target.pathname.startsWith('/no-auth/provider-token/');
  if (actor === 'api' && target.pathname.includes('/provider-auth/')) return 'start';
  if (actor === 'api' && callback) return 'api-callback';
  if (actor === 'router' && callback) return 'callback';
  if (actor === 'provider' && !target.pathname.endsWith('/consent')) return 'authorize';
  return undefined;
}

/** Edits the raw query as ordered pairs; untouched pairs keep their exact encoding. */
export function editQuery(url: URL, edit: (pairs: Array<[string, string]>) => Array<[string, string]>): URL {
  const raw = url.search.startsWith('?') ? url.search.slice(1) : url.search;
  const pairs = raw
    .split('&')
    .filter(Boolean)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
  const edited = edit(pairs);
  const out = new URL(url.href);
  out.search = edited.length === 0 ? '' : `?${edited.map(([k, v]) => `${k}=${v}`).join('&')}`;
  return out;
}

/** Sets (encoding the new value) and removes query parameters. */
export function setQuery(url: URL, set: Record<string, string> = {}, remove: readonly string[] = []): URL {
  return editQuery(url, (pairs) => {
    const kept = pairs.filter(([k]) => !remove.includes(decode(k)));
    for (const [key, value] of Object.entries(set)) {
      const at = kept.findIndex(([k]) => decode(k) === key);
      const pair: [string, string] = [encodeURIComponent(key), encodeURIComponent(value)];
      if (at < 0) kept.push(pair);
      else kept[at] = pair;
    }
    return kept;
  });
}

/** The query value of `name` decoded, or undefined. */
export function queryValue(url: URL, name: string): string | undefined {
  return new URLSearchParams(url.search).get(name) ?? undefined;
}

/** Replaces the last path segment: the provider of /…/provider-auth/<p> or /…/provider-token/<p>. */
export function withProvider(url: URL, provider: string): URL {
  const out = new URL(url.href);
  out.pathname = out.pathname.replace(/\/[^/]*$/, `/${provider}`);
  return out;
}

// note: a secret the lab never uses, so the signature check must fail.
const FORGED_SECRET = 'not-the-codestream-secret';

/** The state after the tamper, or undefined when the state is to be removed. */
export async function tamperState(state: string, tamper: StateTamper, authSecret: string): Promise<string | undefined> {
  const segments = state.split('!');
  const jwt = segments[1] ?? '';
  switch (tamper.segment) {
    case 'remove':
      return undefined;
    case 'env':
      segments[0] = tamper.value;
      break;
    case 'jwt':
      segments[1] = tamper.value;
      break;
    case 'signature':
      segments[1] = await resign(decodeJwt(jwt), FORGED_SECRET);
      break;
    case 'type':
      segments[1] = await resign({ ...decodeJwt(jwt), type: tamper.value }, authSecret);
      break;
  }
  return segments.join('!');
}

async function resign(claims: Record<string, unknown>, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

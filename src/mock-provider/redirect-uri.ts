/** redirect_uri matching: exact (RFC 9700 §2.1) with the loopback-port exception (RFC 8252 §7.3). */

const LOOPBACK = new Set(['127.0.0.1', '[::1]']);

/** True when `requested` may be used for a client registered with `registered`. */
export function redirectUriMatches(
  requested: string,
  registered: string,
  mode: 'exact' | 'prefix' | 'origin',
): boolean {
  if (requested === registered) return true;
  // note: Bitbucket accepts any callback that extends the registered one; profiles opt in by name.
  if (mode === 'prefix' && requested.startsWith(registered)) return true;
  // note: Trello checks return_url against the app's allowed origins only (the state rides in its query).
  if (mode === 'origin' && sameOrigin(requested, registered)) return true;
  return loopbackPortVariant(requested, registered);
}

// RFC 8252 §7.3: any port is allowed at request time for loopback IP redirect URIs (not "localhost", §8.3).
function loopbackPortVariant(requested: string, registered: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(requested);
    b = new URL(registered);
  } catch {
    return false;
  }
  if (a.protocol !== 'http:' || b.protocol !== 'http:' || !LOOPBACK.has(b.hostname)) return false;
  if (b.port !== '') return false; // registered without a port: the native-app form
  return a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search;
}

/** Appends parameters to a redirect URI that may already carry a query (Trello's return_url does). */
export function appendParams(uri: string, params: Record<string, string | undefined>): string {
  const pairs = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  if (pairs.length === 0) return uri;
  const query = new URLSearchParams(pairs).toString();
  return `${uri}${uri.includes('?') ? '&' : '?'}${query}`;
}

/** Appends parameters as the URL fragment (RFC 6749 §4.2.2), keeping the query (Trello's return_url?state=…). */
export function appendFragment(uri: string, params: Record<string, string | undefined>): string {
  const pairs = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  const base = uri.split('#')[0] ?? uri;
  return `${base}#${new URLSearchParams(pairs).toString()}`;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/**
 * The checks the inspector marks on a hop, written from the contract (cited on each) and the lab's options,
 * never read from a mock's state: the same oracle rule as the flows' checks (src/flows/engine/contract.ts).
 */
import { decodeState, environmentOf } from '../state.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { claimsOf, locationParams, responseJson, type Hop, type HopCheck } from './hop.js';

export interface CheckContext {
  /** apiServer.authOrigin: the router plus /no-auth. */
  authOrigin: string;
  /** callbackEnvironment → the origin of the environment that owns it (lab config and the lab's URLs). */
  envOrigins: ReadonlyMap<string, string>;
  /** Environment name → its callbackEnvironment (lab config). */
  callbackEnvs: ReadonlyMap<string, string | null>;
  /** Environment name → its API origin. */
  apiOrigins: ReadonlyMap<string, string>;
  profiles: ReadonlyMap<string, ProviderProfile>;
}

// Contract §2.1: the pauth of /provider-auth-code lives at most 10 min, the anonymous one of /web/provider-auth 2.
const PAUTH_MAX_S = 600;
const ANON_PAUTH_MAX_S = 120;
// Contract appendix A: every CodeStream error code is a prefix, a dash and four digits.
const CS_CODE = /^[A-Z]+-\d{4}$/;
const START_ROUTE = /^\/(?:web|no-auth)\/provider-auth\/[^/]+$/;
const CALLBACK = /^\/no-auth\/provider-token\/[^/]+$/;

/** Every check that applies to the hop; none for a hop the contract says nothing particular about. */
export function checksFor(hop: Hop, ctx: CheckContext): HopCheck[] {
  const out: HopCheck[] = [];
  const add = (name: string, ok: boolean, expected: string, actual: string, source: string): void =>
    void out.push({ name, ok, expected, actual, source });
  const loc = locationParams(hop);
  const toError = hop.location !== undefined && /\/web\/error\b/.test(hop.location);

  if (hop.status >= 500) add('no server error', false, 'an answer below 500', String(hop.status), 'house rules');

  if (hop.box === 'api' && hop.method === 'GET' && START_ROUTE.test(hop.path) && hop.status === 302) {
    if (toError) {
      add(
        'start route sends the browser to the provider',
        false,
        'the authorize URL',
        `/web/error code=${loc.code ?? '?'}`,
        'contract §1.3 step 8',
      );
    } else if (loc.state !== undefined) {
      stateChecks(hop, loc.state, ctx, add);
    }
    const redirectUri = loc.redirect_uri;
    if (redirectUri !== undefined && hop.provider !== undefined) {
      const restrictive = ctx.profiles.get(hop.provider)?.restrictive === true;
      const apiOrigin = hop.env === undefined ? undefined : ctx.apiOrigins.get(hop.env);
      const expected = restrictive
        ? `${apiOrigin ?? '?'}/no-auth/provider-token/${hop.provider}`
        : `${ctx.authOrigin}/provider-token/${hop.provider}`;
      add(
        'redirect_uri',
        redirectUri.startsWith(expected),
        expected,
        redirectUri,
        restrictive ? 'contract §7' : 'contract §1.3',
      );
    }
  }

  if (hop.box === 'provider' && hop.from === 'browser' && hop.location !== undefined && hop.status < 400) {
    const sent = hop.query.state ?? hop.body.state;
    if (loc.error !== undefined) {
      add('authorize answers with a code', false, 'code=…', `error=${loc.error}`, 'RFC 6749 §4.1.2.1');
    } else if (sent !== undefined && (loc.code !== undefined || loc.state !== undefined)) {
      add('state comes back unchanged', loc.state === sent, sent, loc.state ?? '(none)', 'RFC 6749 §4.1.2');
    }
  }

  if (hop.box === 'router' && CALLBACK.test(hop.path)) {
    const state = hop.query.state;
    const env = state === undefined ? undefined : environmentOf(state);
    const origin = env === undefined ? undefined : ctx.envOrigins.get(env);
    if (hop.status === 302 && hop.location !== undefined) {
      const expected = `${origin ?? '(no environment)'}${hop.path}${hop.rawQuery ? `?${hop.rawQuery}` : ''}`;
      add(
        'router sends the callback to the environment of the state, query unchanged',
        hop.location === expected,
        expected,
        hop.location,
        'contract §7',
      );
    } else if (hop.status >= 400) {
      add(
        'router routes the callback',
        false,
        `302 to ${origin ?? 'the environment of the state'}`,
        String(hop.status),
        'contract §7',
      );
    }
  }

  if (hop.box === 'api' && hop.method === 'GET' && CALLBACK.test(hop.path) && hop.status === 302) {
    const why = [loc.code && `code=${loc.code}`, loc.providerError && `providerError=${loc.providerError}`];
    add(
      'callback ends on the success page',
      !toError,
      'a 302 to the success page',
      toError ? `/web/error ${why.filter(Boolean).join(' ')}` : (hop.location ?? ''),
      'contract §1.5',
    );
  }

  const json = responseJson(hop);
  if (hop.box === 'api' && hop.status >= 400 && typeof json?.code === 'string') {
    const code = json.code;
    add('error code is a CodeStream code', CS_CODE.test(code), 'PREFIX-nnnn', code, 'contract appendix A');
    if (hop.path === '/no-auth/check-signup' && code === 'AUTH-1006')
      add('check-signup still pending', true, 'AUTH-1006 while pending', code, 'contract §5');
    else add('answered without an error', false, 'a success answer', `${hop.status} ${code}`, 'contract appendix A');
  }
  return out;
}

function stateChecks(
  hop: Hop,
  state: string,
  ctx: CheckContext,
  add: (name: string, ok: boolean, expected: string, actual: string, source: string) => void,
): void {
  let parts: ReturnType<typeof decodeState> | undefined;
  try {
    parts = decodeState(state);
  } catch (err) {
    add(
      'state is <env>!<pauth>[!<host>]',
      false,
      '<env>!<pauth>',
      err instanceof Error ? err.message : 'unreadable',
      'contract §2.2',
    );
    return;
  }
  const expectedEnv = hop.env === undefined ? undefined : ctx.callbackEnvs.get(hop.env);
  add(
    'state starts with the callbackEnvironment',
    parts.env === String(expectedEnv),
    `${String(expectedEnv)}!`,
    `${parts.env}!`,
    'contract §2.2',
  );
  const claims = claimsOf(parts.jwt);
  add(
    'state carries a pauth JWT',
    claims?.type === 'pauth',
    'type "pauth"',
    claims === undefined ? 'not a JWT' : JSON.stringify(claims.type ?? null),
    'contract §2.1',
  );
  if (claims === undefined) return;
  const lifetime = typeof claims.exp === 'number' && typeof claims.iat === 'number' ? claims.exp - claims.iat : NaN;
  const max = claims.userId === 'anon' ? ANON_PAUTH_MAX_S : PAUTH_MAX_S;
  add(
    'pauth lifetime',
    lifetime > 0 && lifetime <= max,
    `1 to ${max} s`,
    Number.isNaN(lifetime) ? 'no exp/iat' : `${lifetime} s`,
    'contract §2.1',
  );
}

/**
 * Checks of the connect's first two browser hops for every kind of profile: the start route's redirect
 * (OAuth 2.0 authorize URL, or OAuth 1.0a authorize with the state inside oauth_callback) and the
 * provider's redirect back (a code, a token in the fragment, or an authorized request token).
 */
import { expectedStatePrefix } from '../engine/environment.js';
import type { Hop } from '../../agent-sim/browser.js';
import { specialEncode, decodeState } from '../../state.js';
import { claimsOf, queryShape, rawQueryOf } from '../engine/checks.js';
import type { ConnectContext } from './steps.js';
import { expectedAuthorizeKeys, expectedClientId, flowKind } from './expect.js';
import type { StepContext } from '../engine/runner.js';

/** The start hop: 302 to the provider, parameters in order and encoding, client, callback and state segments. */
export function checkStart(ctx: ConnectContext, s: StepContext, hop: Hop): string {
  s.expectEqual('start answers 302', 302, hop.status);
  const location = ctx.browser.locationOf(hop);
  const errorCode = location?.pathname === '/web/error' ? location.searchParams.get('code') : undefined;
  s.check(
    'start is not sent to /web/error',
    errorCode === undefined,
    'a provider authorize URL',
    `/web/error with code ${errorCode ?? ''}`,
  );
  s.expectEqual('authorize origin', ctx.authorizeOrigin, location?.origin);
  s.expectEqual('authorize path', ctx.profile.authorize.path, location?.pathname);
  const shape = queryShape(rawQueryOf(hop.location ?? ''));
  const keys = expectedAuthorizeKeys(ctx.profile, { requestServerToken: ctx.profile.agent.requestServerToken }).join(
    ',',
  );
  s.check('authorize parameter order', shape.keys.join(',') === keys, keys, shape.keys.join(','));
  s.check(
    'every value encodeURIComponent-encoded',
    shape.badlyEncoded.length === 0,
    'none',
    shape.badlyEncoded.join(','),
  );
  if (flowKind(ctx.profile) === 'oauth1') checkOAuth1Start(ctx, s, shape.values);
  else checkOAuth2Start(ctx, s, shape.values);
  noteCallbackOrigin(ctx, s);
  ctx.authorizeHop = hop;
  return `302 → ${location?.origin ?? ''}${location?.pathname ?? ''}`;
}

function checkOAuth2Start(ctx: ConnectContext, s: StepContext, values: Map<string, string>): void {
  const a = ctx.profile.authorize;
  // The client travels in client_id, or in the provider's own parameter (Trello's key).
  const clientParam = a.omitParameters.includes('client_id') ? a.clientIdParameter : 'client_id';
  const client = expectedClientId(ctx.lab.config, ctx.teamId, ctx.profile.id, ctx.host);
  s.expectEqual(`client (${clientParam})`, client, values.get(clientParam));
  // The callback travels in redirect_uri, or in the provider's own parameter
  // (Trello's return_url, with the state in its query).
  const callback =
    values.get(a.omitParameters.includes('redirect_uri') ? a.redirectUriParameter : 'redirect_uri') ?? '';
  const [base = '', query = ''] = callback.split('?');
  ctx.redirectUri = base;
  s.expectEqual('callback URL', expectedCallback(ctx), base);
  const responseType = a.omitParameters.includes('response_type') ? undefined : a.responseType;
  s.expectEqual('response_type', responseType, values.get('response_type'));
  if (a.scopes !== undefined) s.expectEqual(`scopes (${a.scopeParameter})`, a.scopes, values.get(a.scopeParameter));
  if (ctx.profile.agent.requestServerToken)
    for (const [k, v] of Object.entries(a.serverTokenParameters))
      s.expectEqual(`server-token parameter ${k}`, v, values.get(k));
  ctx.sentState = a.omitParameters.includes('state')
    ? (new URLSearchParams(query).get('state') ?? '')
    : (values.get('state') ?? '');
  const parts = decodeState(ctx.sentState);
  s.expectEqual('state segment 0: environment', expectedStatePrefix(ctx), parts.env);
  s.expectEqual('state segment 1: the very pauth issued', ctx.pauth, parts.jwt);
  if (ctx.host !== undefined)
    s.expectEqual('state segment 2: the enterprise host, lowercased, not encoded', ctx.host.toLowerCase(), parts.host);
  else s.expectEqual('no state segment 2 (no enterprise host)', undefined, parts.host);
}

// Contract §1.3 step 6 and §2.2: the state rides inside oauth_callback, with the host special-encoded
// and an oasec JWT.
function checkOAuth1Start(ctx: ConnectContext, s: StepContext, values: Map<string, string>): void {
  const requestToken = values.get('oauth_token') ?? '';
  const issued = ctx.provider.control.grants.requestTokens.get(requestToken);
  if (ctx.providerJournal) {
    // The request-token call answered with this flow's request token (the one its authorize URL names).
    const call = ctx.provider.control.requests.find(
      (r) => r.endpoint === 'request-token' && r.issuedRequestToken === requestToken,
    );
    s.expectEqual('request-token call answered 200', 200, call?.status);
    const header = call?.headers.authorization ?? '';
    s.check(
      'request-token call signed RSA-SHA1',
      header.startsWith('OAuth ') && header.includes('oauth_signature_method="RSA-SHA1"'),
      'OAuth … RSA-SHA1',
      header.slice(0, 60),
    );
    s.check(
      'oauth_token is the request token the provider issued',
      issued !== undefined,
      'an issued request token',
      requestToken,
    );
  }
  const callback = values.get('oauth_callback') ?? '';
  const q = callback.indexOf('?state=');
  ctx.redirectUri = q < 0 ? callback : callback.slice(0, q);
  s.expectEqual('oauth_callback URL', expectedCallback(ctx), ctx.redirectUri);
  // note: the state is raw inside the callback (only the callback as a whole is encoded), hence the special encoding.
  ctx.sentState = q < 0 ? '' : callback.slice(q + '?state='.length);
  const raw = ctx.sentState.split('!');
  s.expectEqual('state has 4 segments', 4, raw.length);
  s.expectEqual('state segment 0: environment', expectedStatePrefix(ctx), raw[0]);
  s.expectEqual('state segment 1: the very pauth issued', ctx.pauth, raw[1]);
  s.expectEqual('state segment 2: the host, special-encoded', specialEncode((ctx.host ?? '').toLowerCase()), raw[2]);
  const oasec = claimsOf(s, 'oasec', raw[3] ?? '');
  s.expectEqual('state segment 3: an oasec JWT', 'oasec', oasec.type);
  s.expectEqual('oasec has no expiry', undefined, oasec.exp);
  if (issued !== undefined) s.expectEqual('oasec "sec" is the request-token secret', issued.secret, oasec.sec);
  ctx.secrets.add(typeof oasec.sec === 'string' ? oasec.sec : undefined);
}

/** The callback the start must name (contract §1.3 step 7): publicApiUrl for restrictive providers, else
 * authOrigin. */
export function expectedCallback(ctx: Pick<ConnectContext, 'profile' | 'api' | 'lab'>): string {
  const origin = ctx.profile.restrictive ? `${ctx.api.url}/no-auth` : ctx.lab.authOrigin;
  return `${origin}/provider-token/${ctx.profile.id}`;
}

function noteCallbackOrigin(ctx: ConnectContext, s: StepContext): void {
  if (!ctx.profile.restrictive) return;
  const why =
    flowKind(ctx.profile) === 'oauth1'
      ? 'OAuth 1.0a has no state parameter for the router to read'
      : 'the state comes back in the URL fragment, which the router cannot see';
  s.note(
    `callback on publicApiUrl ${ctx.api.url}, not the auth origin: ${ctx.profile.displayName} is restrictive ` +
      `(${why}; contract §7)`,
  );
}

/** The provider's redirect back: to the callback, state unchanged, with a code, a fragment token or a verifier. */
export function checkAuthorizeAnswer(ctx: ConnectContext, s: StepContext, hop: Hop): string {
  s.expectEqual('authorize answers 302', 302, hop.status);
  return checkRedirectBack(ctx, s, hop);
}

/** The checks of checkAuthorizeAnswer past the status; the real-browser flow runs them on the consent form's 303. */
export function checkRedirectBack(ctx: ConnectContext, s: StepContext, hop: Hop): string {
  const back = ctx.browser.locationOf(hop);
  s.expectEqual('redirect goes to the callback', ctx.redirectUri, back ? `${back.origin}${back.pathname}` : undefined);
  const delivery = ctx.profile.delivery;
  if (flowKind(ctx.profile) === 'fragment' && delivery.mode === 'fragment') {
    const fragment = new URLSearchParams(back?.hash.slice(1) ?? '');
    const state = delivery.stateInFragment ? fragment.get('state') : back?.searchParams.get('state');
    const where = delivery.stateInFragment ? 'in the fragment' : 'in the query';
    s.expectEqual(`state echoed byte-identical (${where})`, ctx.sentState, state);
    const token = fragment.get(delivery.tokenField);
    s.check(
      `token in the fragment as "${delivery.tokenField}"`,
      typeof token === 'string' && token !== '',
      'a token',
      token,
    );
    s.check(
      'no token in the query (a server would see it)',
      back?.searchParams.get(delivery.tokenField) === null,
      'none',
      back?.searchParams.get(delivery.tokenField),
    );
    ctx.issuedToken = token ?? undefined;
    ctx.secrets.add(ctx.issuedToken);
    if (ctx.providerJournal)
      s.expectEqual(
        'the provider issued that token',
        'implicit',
        ctx.provider.control.issued.find((i) => i.accessToken === ctx.issuedToken)?.kind,
      );
    ctx.callbackHop = hop;
    return 'token in the fragment, state unchanged';
  }
  s.expectEqual('state echoed byte-identical', ctx.sentState, back?.searchParams.get('state'));
  if (flowKind(ctx.profile) === 'oauth1') {
    s.check(
      'oauth_token and oauth_verifier present',
      back?.searchParams.has('oauth_token') === true && back.searchParams.has('oauth_verifier'),
      'both',
      back?.search ?? null,
    );
    s.note(
      'CodeStream drops oauth_verifier at the callback (contract §1.5 step 2); the access-token call goes without it',
    );
    ctx.callbackHop = hop;
    return 'request token authorized, state unchanged';
  }
  const code = back?.searchParams.get('code');
  s.check('code present', typeof code === 'string' && code.length > 0, 'a code', code ?? null);
  ctx.callbackHop = hop;
  return 'code issued, state unchanged';
}

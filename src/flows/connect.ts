/**
 * "Connect to X" (the seed's first flow, architecture §3): every hop as a step with its checks.
 * The protocol code never prints: steps emit events through the runner.
 */
import { applyDirective, providerTokenOf } from '../agent-sim/me-cache.js';
import { getPath } from '../dotted.js';
import { decodeState } from '../state.js';
import { claimsOf, queryShape, rawQueryOf, UUID_V4 } from './checks.js';
import type { AgentContext, ApiClient, BroadcastClient } from './context.js';
import type { Hop } from '../agent-sim/browser.js';
import type { Step, StepContext } from './runner.js';
import { isolationStep } from './isolation.js';
import { checkProxiedRoute } from './proxied-route.js';

export interface ConnectContext extends AgentContext {
  client: ApiClient;
  broadcasts: BroadcastClient;
  userId: string;
  broadcasterToken: string;
  teamId: string;
  entry: 'web' | 'no-auth';
  broadcastTimeoutMs: number;
  signal?: AbortSignal;
  // Learned along the way.
  me?: Record<string, unknown>;
  pauth?: string;
  authorizeHop?: Hop;
  redirectUri?: string | undefined;
  sentState?: string;
  callbackHop?: Hop;
  apiCallbackHop?: Hop;
  successHop?: Hop;
  /** Router in proxy mode: the environment's callback answer, relayed by the router. */
  routedAnswer?: Hop;
  issuedToken?: string | undefined;
  deliveredToken?: string | undefined;
}

const step = <C = ConnectContext>(id: string, title: string, run: Step<C>['run']): Step<C> => ({ id, title, run });

/** Expected authorize parameter order from the profile (contract §3.1), derived independently of the API. */
export function expectedAuthorizeKeys(profile: AgentContext['profile']): string[] {
  const keys = ['client_id', 'redirect_uri', 'response_type', 'state'];
  if (profile.authorize.scopes !== undefined) keys.push(profile.authorize.scopeParameter);
  for (const key of Object.keys(profile.authorize.extraParameters)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

export const connectSteps: readonly Step<ConnectContext>[] = [
  step('login', 'Agent loads the me-object', async (ctx, s) => {
    ctx.me = await ctx.client.me();
    s.expectEqual('me-object is the signed-in user', ctx.me.id, ctx.userId);
    return `user ${ctx.userId}, version ${String(ctx.me.version)}`;
  }),

  step('auth-code', 'Agent gets a pauth code (GET /provider-auth-code)', async (ctx, s) => {
    ctx.pauth = await ctx.client.providerAuthCode(ctx.teamId);
    ctx.secrets.add(ctx.pauth);
    const claims = claimsOf(s, 'pauth', ctx.pauth);
    s.expectEqual('pauth type', claims.type, 'pauth');
    s.expectEqual('pauth iss', claims.iss, 'CodeStream');
    s.expectEqual('pauth userId', claims.userId, ctx.userId);
    s.expectEqual('pauth teamId', claims.teamId, ctx.teamId);
    s.expectEqual('pauth lifetime (exp − iat, s)', Number(claims.exp) - Number(claims.iat), 600);
    return 'type pauth, 600 s';
  }),

  step('subscribe', 'Agent subscribes to its me-channel', async (ctx, s) => {
    await ctx.broadcasts.subscribe({ apiUrl: ctx.api.url, token: ctx.broadcasterToken, channels: [`user-${ctx.userId}`] });
    s.check('subscribed', true, 'subscribed', 'subscribed', `user-${ctx.userId}`);
    return `user-${ctx.userId}`;
  }),

  step('start', 'Browser opens the start URL; the API redirects to the provider', async (ctx, s) => {
    const path = ctx.entry === 'web' ? '/web/provider-auth' : '/no-auth/provider-auth';
    const hop = await ctx.browser.get(`${ctx.api.url}${path}/${ctx.profile.id}?code=${encodeURIComponent(ctx.pauth ?? '')}`);
    s.expectEqual('start answers 302', hop.status, 302);
    const location = ctx.browser.locationOf(hop);
    s.expectEqual('authorize origin', location?.origin, new URL(ctx.provider.url).origin);
    s.expectEqual('authorize path', location?.pathname, ctx.profile.authorize.path);
    const shape = queryShape(rawQueryOf(hop.location ?? ''));
    s.check('authorize parameter order', shape.keys.join(',') === expectedAuthorizeKeys(ctx.profile).join(','), expectedAuthorizeKeys(ctx.profile).join(','), shape.keys.join(','));
    s.check('every value encodeURIComponent-encoded', shape.badlyEncoded.length === 0, 'none', shape.badlyEncoded.join(','));
    const client = ctx.lab.config.clients[ctx.profile.id];
    s.expectEqual('client_id', shape.values.get('client_id'), client?.clientId);
    ctx.redirectUri = shape.values.get('redirect_uri');
    s.expectEqual('redirect_uri is the auth origin', ctx.redirectUri, `${ctx.lab.authOrigin}/provider-token/${ctx.profile.id}`);
    s.expectEqual('response_type', shape.values.get('response_type'), ctx.profile.authorize.responseType);
    if (ctx.profile.authorize.scopes !== undefined) s.expectEqual('scopes', shape.values.get(ctx.profile.authorize.scopeParameter), ctx.profile.authorize.scopes);
    ctx.sentState = shape.values.get('state') ?? '';
    const parts = decodeState(ctx.sentState);
    s.expectEqual('state segment 0: environment', parts.env, String(ctx.api.ctx.env.callbackEnvironment));
    s.expectEqual('state segment 1: the very pauth issued', parts.jwt, ctx.pauth);
    ctx.authorizeHop = hop;
    return `302 → ${location?.origin}${location?.pathname}`;
  }),

  step('authorize', 'Provider approves and redirects back with a code', async (ctx, s) => {
    const hop = await ctx.browser.follow(ctx.authorizeHop as Hop);
    s.expectEqual('authorize answers 302', hop.status, 302);
    const back = ctx.browser.locationOf(hop);
    s.expectEqual('redirect goes to the redirect_uri', back ? `${back.origin}${back.pathname}` : undefined, ctx.redirectUri);
    s.expectEqual('state echoed byte-identical', back?.searchParams.get('state'), ctx.sentState);
    const code = back?.searchParams.get('code');
    s.check('code present', typeof code === 'string' && code.length > 0, 'a code', code ?? null);
    ctx.callbackHop = hop;
    return 'code issued, state unchanged';
  }),

  step('route', 'Auth-origin router sends the callback to its environment', async (ctx, s) => {
    const hop = await ctx.browser.follow(ctx.callbackHop as Hop);
    if (ctx.lab.router.mode === 'proxy') return checkProxiedRoute(ctx, s, hop);
    s.expectEqual('router answers 302', hop.status, 302);
    const to = ctx.browser.locationOf(hop);
    s.expectEqual('routed to the environment', to?.origin, new URL(ctx.api.url).origin);
    s.expectEqual('routed path', to?.pathname, `/no-auth/provider-token/${ctx.profile.id}`);
    s.expectEqual('query unchanged', rawQueryOf(hop.location ?? ''), rawQueryOf(ctx.callbackHop?.location ?? ''));
    ctx.apiCallbackHop = hop;
    return `env "${ctx.envName}" by state prefix`;
  }),

  step('callback', 'API validates the state, exchanges the code, stores the token', async (ctx, s) => {
    const hop = ctx.routedAnswer ?? (await ctx.browser.follow(ctx.apiCallbackHop as Hop));
    s.expectEqual('callback answers 302', hop.status, 302);
    const errorCode = ctx.browser.locationOf(hop)?.pathname === '/web/error' ? ctx.browser.locationOf(hop)?.searchParams.get('code') : undefined;
    s.check('callback is not sent to /web/error', errorCode === undefined, 'a success redirect', `/web/error with code ${errorCode ?? ''}`);
    const sentCode = new URL(ctx.callbackHop?.location ?? '', ctx.lab.router.url).searchParams.get('code');
    checkExchangeAndStore(ctx, s, sentCode);
    ctx.successHop = hop;
    return `token stored under providerInfo.${ctx.teamId}.${ctx.profile.id}`;
  }),

  step('success-page', 'Browser lands on the success page', async (ctx, s) => {
    const expected = ctx.api.ctx.successPage === 'api'
      ? `${ctx.api.url}/web/provider-connected/${ctx.profile.id}`
      : `${ctx.lab.marketing.url}/auth-complete/${ctx.profile.authCompletePage ?? ctx.profile.id}`;
    s.expectEqual('success redirect', ctx.browser.locationOf(ctx.successHop as Hop)?.href, expected);
    const hop = await ctx.browser.follow(ctx.successHop as Hop);
    s.expectEqual('success page answers 200', hop.status, 200);
    s.check('success page title', /Successful Auth|You are now connected/.test(hop.body), 'Successful Auth', hop.body.slice(0, 80));
    return new URL(expected).pathname;
  }),

  step('broadcast', 'Agent receives the token on its me-channel', async (ctx, s) => {
    const key = `providerInfo.${ctx.teamId}.${ctx.profile.id}.accessToken`;
    const got = await ctx.broadcasts.waitFor((m) => hasSetKey(m.message, key), ctx.broadcastTimeoutMs, ctx.signal);
    const user = (got.message.user ?? {}) as Record<string, unknown>;
    s.expectEqual('channel', got.channel, `user-${ctx.userId}`);
    s.expectEqual('directive user id', user.id, ctx.userId);
    const version = (user.$version ?? {}) as { before?: number; after?: number };
    s.expectEqual('$version.after = before + 1', version.after, (version.before ?? NaN) + 1);
    s.check('messageId is a UUID v4', UUID_V4.test(String(got.message.messageId)), 'a UUID v4', got.message.messageId);
    s.check('requestId present', typeof got.message.requestId === 'string' && got.message.requestId !== '', 'a request id', got.message.requestId);
    const tokenErrorKey = key.replace(/accessToken$/, 'tokenError');
    s.expectEqual(`$unset ${tokenErrorKey}`, (user.$unset as Record<string, unknown> | undefined)?.[tokenErrorKey], true);
    const outcome = applyDirective(ctx.me ?? {}, user);
    s.expectEqual('agent applies the directive to its cache', outcome, 'applied');
    ctx.deliveredToken = providerTokenOf(ctx.me ?? {}, ctx.profile.id, ctx.teamId);
    s.expectEqual('delivered token equals the issued token', ctx.deliveredToken, ctx.issuedToken);
    return `version ${version.before} → ${version.after}`;
  }),
  isolationStep<ConnectContext>({ via: 'router', expectDelivered: () => true }),
];

/** The exchange the provider journaled and the token the API stored; the real-browser flow checks these too. */
export function checkExchangeAndStore(ctx: ConnectContext, s: StepContext, sentCode: string | null): void {
  const exchange = ctx.provider.control.requests.filter((r) => r.endpoint === 'token').at(-1);
  s.check('provider journaled the exchange', exchange !== undefined, 'a token request', 'none');
  const params = { ...exchange?.query, ...exchange?.body };
  const token = ctx.profile.token;
  s.check('profile has a code exchange', token !== undefined, 'a token block', 'none');
  if (token === undefined) return;
  s.expectEqual('exchange: code', params[token.codeParameter], sentCode);
  s.expectEqual('exchange: redirect_uri identical to authorize', params.redirect_uri, ctx.redirectUri);
  s.expectEqual('exchange: format', exchange?.format, token.format);
  const client = ctx.lab.config.clients[ctx.profile.id];
  if (token.clientAuth === 'post') {
    s.expectEqual('exchange: client_id', params.client_id, client?.clientId);
    s.expectEqual('exchange: client secret', params[token.secretParameter], client?.clientSecret);
  } else {
    s.check('exchange: Basic client authentication', (exchange?.headers.authorization ?? '').startsWith('Basic '), 'Basic …', exchange?.headers.authorization ?? 'none');
  }
  const issued = ctx.provider.control.issued.at(-1);
  ctx.issuedToken = issued?.accessToken;
  ctx.secrets.add(ctx.issuedToken);
  s.check('provider issued a token', ctx.issuedToken !== undefined, 'an access token', 'none');
  const key = `providerInfo.${ctx.teamId}.${ctx.profile.id}.accessToken`;
  const stored = getPath(ctx.api.ctx.store.users.get(ctx.userId), key);
  s.expectEqual(`stored ${key}`, stored, ctx.issuedToken);
}

function hasSetKey(message: Record<string, unknown>, key: string): boolean {
  const set = (message.user as { $set?: Record<string, unknown> } | undefined)?.$set;
  return set !== undefined && key in set;
}

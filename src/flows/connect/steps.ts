/**
 * "Connect to X" (the seed's first flow, architecture §3): every hop as a step with its checks, for every
 * kind of profile (code, token in the fragment, OAuth 1.0a). The protocol code never prints: steps emit
 * events through the runner. Steps that only some profiles take say so in `applies`.
 */
import { reportMessage } from '../../agent-sim/broadcast-recovery.js';
import { applyDirective } from '../../agent-sim/me-cache.js';
import { defined } from '../../util/defined.js';
import { getPath } from '../../util/dotted.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { checkConnectPauth, rawQueryOf, UUID_V4 } from '../engine/checks.js';
import type { AgentContext, ApiClient, BroadcastClient } from '../engine/context.js';
import type { Hop } from '../../agent-sim/browser.js';
import { need, type Step } from '../engine/runner.js';
import { operatorOf, userDirective, versionOf } from '../engine/directive.js';
import { isolationStep } from '../engine/isolation.js';
import { checkProxiedRoute } from '../engine/proxied-route.js';
import { flowKind, startQuery } from './expect.js';
import { passRealServer } from '../engine/real-server.js';
import { checkAuthorizeAnswer, checkRedirectBack, checkStart } from './start.js';
import { checkExchangeAndStore } from './store.js';

export { expectedAuthorizeKeys } from './expect.js';
export { checkExchangeAndStore } from './store.js';

export interface ConnectContext extends AgentContext {
  client: ApiClient;
  broadcasts: BroadcastClient;
  userId: string;
  broadcasterToken: string;
  teamId: string;
  entry: 'web' | 'no-auth';
  signal?: AbortSignal;
  /** The enterprise host the agent sends (`--host`), as the user gave it. */
  host?: string | undefined;
  /** Okta in the lab: the hostUrl the start names (the mock's origin). */
  hostUrl?: string | undefined;
  /** The origin authorize must be on: the mock's, the one that plays an enterprise host, or a real server's. */
  authorizeOrigin: string;
  /** False for custom profiles: no mock runs, so checks that read the provider's journal are skipped. */
  providerJournal: boolean;
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
  issuedServerToken?: string | undefined;
  /** The providerInfo key the token was stored under (with .hosts/.multiple). */
  storageKey?: string;
  storedToken?: string | undefined;
  deliveredToken?: string | undefined;
}

/** Where the callback stored the token (hosts.<host> and multiple.<id> included) once learned, else the team's key. */
export function storageKeyOf(ctx: Pick<ConnectContext, 'storageKey' | 'teamId' | 'profile'>): string {
  return ctx.storageKey ?? `providerInfo.${ctx.teamId}.${ctx.profile.id}`;
}

/** A connect step; `applies` leaves it out for profiles that do not take that hop. */
export interface ConnectStep extends Step<ConnectContext> {
  applies?: (profile: ProviderProfile) => boolean;
}

const step = (
  id: string,
  title: string,
  run: Step<ConnectContext>['run'],
  applies?: ConnectStep['applies'],
): ConnectStep => ({ id, title, run, ...defined({ applies }) });

/** The steps a profile takes, in order. */
export function connectStepsFor(profile: ProviderProfile): Step<ConnectContext>[] {
  return connectSteps.filter((s) => s.applies?.(profile) ?? true);
}

export const connectSteps: readonly ConnectStep[] = [
  step('login', 'Agent loads the me-object', async (ctx, s) => {
    ctx.me = await ctx.client.me();
    s.expectEqual('me-object is the signed-in user', ctx.userId, ctx.me.id);
    return `user ${ctx.userId}, version ${String(ctx.me.version)}`;
  }),

  step('auth-code', 'Agent gets a pauth code (GET /provider-auth-code)', async (ctx, s) => {
    // Contract §6.1: Slack and MS Teams ask with sharing=true, which puts sm:true in the pauth.
    const sharing = ctx.profile.agent.sharing;
    if (sharing) {
      const answer = await ctx.client.request(
        'GET',
        `/provider-auth-code?teamId=${encodeURIComponent(ctx.teamId)}&sharing=true`,
      );
      s.expectEqual('provider-auth-code answers 200', 200, answer.status);
      ctx.pauth = typeof answer.body.code === 'string' ? answer.body.code : '';
    } else ctx.pauth = await ctx.client.providerAuthCode(ctx.teamId);
    ctx.secrets.add(ctx.pauth);
    return checkConnectPauth(s, ctx.pauth, { userId: ctx.userId, teamId: ctx.teamId, sharing });
  }),

  step('subscribe', 'Agent subscribes to its me-channel', async (ctx, s) => {
    await ctx.broadcasts.subscribe({
      apiUrl: ctx.api.url,
      token: ctx.broadcasterToken,
      channels: [`user-${ctx.userId}`],
    });
    const channel = `user-${ctx.userId}`;
    s.expectEqual('broadcaster confirmed the channel', channel, ctx.broadcasts.confirmedChannels.join(','));
    const subscribed = ctx.api.control.broadcasts.subscriberCount(channel) > 0;
    s.expectEqual(`broadcaster has a subscriber on ${channel}`, true, subscribed);
    return `user-${ctx.userId}`;
  }),

  step('start', 'Browser opens the start URL; the API redirects to the provider', async (ctx, s) => {
    const path = ctx.entry === 'web' ? '/web/provider-auth' : '/no-auth/provider-auth';
    const query = startQuery(ctx.profile, { pauth: ctx.pauth ?? '', host: ctx.host, hostUrl: ctx.hostUrl });
    const hop = await ctx.browser.get(`${ctx.api.url}${path}/${ctx.profile.id}?${query}`);
    return checkStart(ctx, s, hop);
  }),

  step('authorize', 'Provider approves and redirects back', async (ctx, s) => {
    const start = need(ctx.authorizeHop, 'authorize hop', s);
    // A real server (custom profile) may pass the browser through its own login and consent pages first.
    if (!ctx.providerJournal) return checkRedirectBack(ctx, s, await passRealServer(ctx, s, start, ctx.redirectUri));
    return checkAuthorizeAnswer(ctx, s, await ctx.browser.follow(start));
  }),

  step('route', 'Auth-origin router sends the callback to its environment', async (ctx, s) => {
    if (ctx.profile.restrictive) {
      // Contract §7: restrictive providers call back on publicApiUrl, so there is no router hop.
      ctx.apiCallbackHop = need(ctx.callbackHop, 'callback hop', s);
      s.note(
        `no router hop: the callback went to publicApiUrl ${ctx.api.url} directly, because ${ctx.profile.displayName} is restrictive`,
      );
      return 'bypassed: the callback is on the environment itself';
    }
    const hop = await ctx.browser.follow(need(ctx.callbackHop, 'callback hop', s));
    if (ctx.lab.router.mode === 'proxy') return checkProxiedRoute(ctx, s, hop);
    s.expectEqual('router answers 302', 302, hop.status);
    const to = ctx.browser.locationOf(hop);
    s.expectEqual('routed to the environment', new URL(ctx.api.url).origin, to?.origin);
    s.expectEqual('routed path', `/no-auth/provider-token/${ctx.profile.id}`, to?.pathname);
    s.expectEqual('query unchanged', rawQueryOf(ctx.callbackHop?.location ?? ''), rawQueryOf(hop.location ?? ''));
    ctx.apiCallbackHop = hop;
    return `env "${ctx.envName}" by state prefix`;
  }),

  step(
    'fragment-hop',
    "Callback page's script moves the token from the fragment to the query",
    async (ctx, s) => {
      if (flowKind(ctx.profile) !== 'fragment') return s.skip(`not taken by ${ctx.profile.id}`);
      // Contract §1.5 step 3: the first callback has no token (it is in the fragment), so the API answers a page.
      const page = ctx.routedAnswer ?? (await ctx.browser.follow(need(ctx.apiCallbackHop, 'API callback hop', s)));
      delete ctx.routedAnswer;
      s.expectEqual('first callback answers 200', 200, page.status);
      s.check(
        'answer is an HTML page',
        (page.responseHeaders?.['content-type'] ?? '').startsWith('text/html'),
        'text/html',
        page.responseHeaders?.['content-type'],
      );
      s.check(
        'the fragment stayed in the browser',
        page.fragment !== undefined && !page.url.includes('#'),
        'a fragment the server never saw',
        page.fragment ?? 'none',
      );
      const next = ctx.browser.scriptedNavigation(page);
      s.check(
        'page carries the fragment-hop script',
        next !== undefined,
        'a script the browser knows',
        page.body.slice(0, 60),
      );
      const target = new URL(next ?? '', page.url);
      const expected = `${ctx.lab.authOrigin}/provider-token/${ctx.profile.id}`;
      s.expectEqual('script navigates to the auth origin', expected, `${target.origin}${target.pathname}`);
      s.expectEqual('script puts the fragment token in the query', ctx.issuedToken, target.searchParams.get('token'));
      s.expectEqual('script carries the state', ctx.sentState, target.searchParams.get('state'));
      const hop = await ctx.browser.get(target.href);
      if (ctx.lab.router.mode === 'proxy') {
        s.expectEqual("router relayed the environment's answer", 302, hop.status);
        ctx.routedAnswer = hop;
      } else {
        s.expectEqual('router answers 302', 302, hop.status);
        s.expectEqual('routed to the environment', new URL(ctx.api.url).origin, ctx.browser.locationOf(hop)?.origin);
        ctx.apiCallbackHop = hop;
      }
      return 'page → script → auth origin → environment';
    },
    (p) => flowKind(p) === 'fragment',
  ),

  step('callback', 'API validates the state, gets the token, stores it', async (ctx, s) => {
    const hop = ctx.routedAnswer ?? (await ctx.browser.follow(need(ctx.apiCallbackHop, 'API callback hop', s)));
    s.expectEqual('callback answers 302', 302, hop.status);
    const errorCode =
      ctx.browser.locationOf(hop)?.pathname === '/web/error'
        ? ctx.browser.locationOf(hop)?.searchParams.get('code')
        : undefined;
    s.check(
      'callback is not sent to /web/error',
      errorCode === undefined,
      'a success redirect',
      `/web/error with code ${errorCode ?? ''}`,
    );
    const sentCode = new URL(ctx.callbackHop?.location ?? '', ctx.lab.router.url).searchParams.get('code');
    checkExchangeAndStore(ctx, s, sentCode);
    ctx.successHop = hop;
    return `token stored under ${ctx.storageKey ?? ''}`;
  }),

  step('success-page', 'Browser lands on the success page', async (ctx, s) => {
    const expected =
      ctx.lab.successPage === 'api'
        ? `${ctx.api.url}/web/provider-connected/${ctx.profile.id}`
        : `${ctx.lab.marketing.url}/auth-complete/${ctx.profile.authCompletePage ?? ctx.profile.id}`;
    const successHop = need(ctx.successHop, 'success hop', s);
    s.expectEqual('success redirect', expected, ctx.browser.locationOf(successHop)?.href);
    const hop = await ctx.browser.follow(successHop);
    s.expectEqual('success page answers 200', 200, hop.status);
    s.check(
      'success page title',
      /Successful Auth|You are now connected/.test(hop.body),
      'Successful Auth',
      hop.body.slice(0, 80),
    );
    return new URL(expected).pathname;
  }),

  step('broadcast', 'Agent receives the token on its me-channel', async (ctx, s) => {
    const base = storageKeyOf(ctx);
    const key = `${base}.accessToken`;
    // This flow's directive: on its user's channel, setting its key to the token it was issued (other flows of
    // the same user may write other keys in flight); without a journal, the first directive setting the key.
    const own = (m: { channel: string; message: Record<string, unknown> }): boolean =>
      m.channel === `user-${ctx.userId}` &&
      hasSetKey(m.message, key) &&
      (ctx.issuedToken === undefined || setValue(m.message, key) === ctx.issuedToken);
    const got = await ctx.broadcasts.delivered(own, `directive setting ${key}`);
    reportMessage(got, s.emit);
    const user = userDirective(got.message);
    s.expectEqual('channel', `user-${ctx.userId}`, got.channel);
    s.expectEqual('directive user id', ctx.userId, user.id);
    const version = versionOf(user);
    s.expectEqual('$version.after = before + 1', (version.before ?? NaN) + 1, version.after);
    s.check('messageId is a UUID v4', UUID_V4.test(String(got.message.messageId)), 'a UUID v4', got.message.messageId);
    s.check(
      'requestId present',
      typeof got.message.requestId === 'string' && got.message.requestId !== '',
      'a request id',
      got.message.requestId,
    );
    const tokenErrorKey = `${base}.tokenError`;
    s.expectEqual(`$unset ${tokenErrorKey}`, true, operatorOf(user, '$unset')?.[tokenErrorKey]);
    const cached = Number(ctx.me?.version);
    let outcome = applyInOrder(ctx, user);
    if (outcome === 'refetch-needed') {
      // Writes of other flows published before this agent subscribed: the gap must be theirs, then re-fetch.
      const missing = missingVersions(ctx, cached, version.before ?? NaN);
      s.check(
        'the versions the agent missed were other writes on user-<id>',
        missing.length === 0,
        'every version in between published',
        missing,
      );
      ctx.me = await ctx.client.me();
      s.note(`other writes to ${ctx.userId} came before this agent subscribed: it re-fetched /users/me`);
      outcome = 'applied';
    }
    s.expectEqual('agent applies the directive to its cache', 'applied', outcome);
    const delivered = getPath(ctx.me, key);
    ctx.deliveredToken = typeof delivered === 'string' ? delivered : undefined;
    if (ctx.issuedToken !== undefined)
      s.expectEqual('delivered token equals the issued token', ctx.issuedToken, ctx.deliveredToken);
    else
      s.expectEqual(
        'delivered token equals the stored token (no provider journal to compare with)',
        ctx.storedToken,
        ctx.deliveredToken,
      );
    return `version ${version.before} → ${version.after}`;
  }),
  isolationStep<ConnectContext>({ via: 'router', expectDelivered: () => true }),
];

/**
 * Contract §4.3: the agent applies its channel's directives in $version order. Other flows of the same user write
 * other keys in flight, so the directives between the cached me-object and this one are applied first (those the
 * agent received); a version published before it subscribed means a re-fetch of /users/me, as the agent does.
 */
function applyInOrder(ctx: ConnectContext, own: Record<string, unknown>): string {
  const me = ctx.me ?? {};
  const target = versionOf(own).before ?? NaN;
  const earlier = ctx.broadcasts.received
    .filter((m) => !m.duplicate && m.channel === `user-${ctx.userId}`)
    .map((m) => userDirective(m.message))
    .filter((d) => (versionOf(d).before ?? Infinity) < target)
    .sort((x, y) => (versionOf(x).before ?? 0) - (versionOf(y).before ?? 0));
  for (const d of earlier) applyDirective(me, d);
  return applyDirective(me, own);
}

// The $version.before values in [from, to) that no directive on the user's channel (the broadcaster's log) carried.
function missingVersions(ctx: ConnectContext, from: number, to: number): number[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to - from > 10_000) return [NaN];
  const published = new Set(
    ctx.api.control.broadcasts.messagesOn(`user-${ctx.userId}`).map((m) => versionOf(userDirective(m.message)).before),
  );
  const missing: number[] = [];
  for (let v = from; v < to; v++) if (!published.has(v)) missing.push(v);
  return missing;
}

function setValue(message: Record<string, unknown>, key: string): unknown {
  return operatorOf(message.user, '$set')?.[key];
}

function hasSetKey(message: Record<string, unknown>, key: string): boolean {
  const set = operatorOf(message.user, '$set');
  return set !== undefined && key in set;
}

/**
 * "Sign up with X" (the seed's second flow, architecture §3; contract §1.4, §1.5, §5, §6.2): the webview's
 * signup token, the anonymous browser leg, and the agent polling check-signup until the login package.
 * Every hop is a step with its checks; the protocol code never prints.
 */
import { expectedStatePrefix } from '../engine/environment.js';
import { randomUUID } from 'node:crypto';
import type { Hop } from '../../agent-sim/browser.js';
import type { PollAttempt, PollClock, PollOutcome } from '../../agent-sim/poller.js';
import type { FlowEvent } from '../../events.js';
import { decodeState } from '../../state.js';
import { getPath } from '../../util/dotted.js';
import { claimsOf, queryShape, rawQueryOf, UUID_V4 } from '../engine/checks.js';
import { expectedAuthorizeKeys } from '../connect/steps.js';
import type { AgentContext, ApiClient } from '../engine/context.js';
import type { MockAccount } from '../../profiles/identity.js';
import { need, type Step, type StepContext } from '../engine/runner.js';
import { packageStep, pollStartStep, pollStep, singleUseStep } from './poll.js';
import { isolationStep } from '../engine/isolation.js';
import { SIGNUP_PAUTH_LIFETIME_S } from '../engine/contract.js';
import { checkProxiedRoute } from '../engine/proxied-route.js';
import { passRealServer } from '../engine/real-server.js';

export interface SignupContext extends AgentContext {
  /** The agent's API client; sign-up runs before there is a CS session, so it has no access token. */
  client: ApiClient;
  /** The poller's client: its http events are held back and shown under the poll step. */
  pollClient: ApiClient;
  pollEvents: FlowEvent[];
  clock: PollClock;
  intervalMs: number;
  timeoutMs: number;
  noSignup: boolean;
  /** hostUrl for the start URL (Okta's org host); undefined leaves it out. */
  hostUrl?: string;
  /** The provider was told to deny consent (--deny): the browser leg is expected to end on /web/error. */
  deny: boolean;
  signal?: AbortSignal;
  /** Who is signed in at the provider in this flow's browser (a person of its own; signInAs by the state). */
  identity?: Partial<MockAccount>;
  /** Aborts a poller still running when the flow stops early. */
  pollAbort: AbortController;
  // Learned along the way.
  signupToken?: string;
  startUrl?: string;
  poll?: Promise<PollOutcome>;
  pollStartedAt?: number;
  /** Every check-signup attempt the poller made, retries included. */
  pollAttempts?: PollAttempt[];
  maxInFlight?: number;
  authorizeHop?: Hop;
  redirectUri?: string | undefined;
  sentState?: string;
  callbackHop?: Hop;
  apiCallbackHop?: Hop;
  /** Router in proxy mode: the environment's callback answer, relayed by the router. */
  routedAnswer?: Hop;
  resultHop?: Hop;
  /** The code of /web/error when the callback failed. */
  callbackError?: string;
  issuedToken?: string | undefined;
  outcome?: PollOutcome;
  deliveredToken?: string | undefined;
  /** The user the signup record (found by this flow's signup token) names, and where its token is stored. */
  userId?: string | undefined;
  storageKey?: string | undefined;
}

/** A sign-up step as data (house style: steps are values). */
export const step = (id: string, title: string, run: Step<SignupContext>['run']): Step<SignupContext> => ({
  id,
  title,
  run,
});

/** The start URL as the webview builds it (contract §6.2 item 1): noSignup, signupToken, then hostUrl. */
export function signupStartUrl(ctx: SignupContext, token: string): string {
  const params: [string, string][] = [];
  if (ctx.noSignup) params.push(['noSignup', '1']);
  params.push(['signupToken', token]);
  if (ctx.hostUrl !== undefined) params.push(['hostUrl', ctx.hostUrl]);
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${ctx.api.url}/web/provider-auth/${ctx.profile.id}?${query}`;
}

const tokenStep = step('signup-token', 'Webview makes a signup token', async (ctx, s) => {
  ctx.signupToken = randomUUID();
  s.check('signup token is a UUID v4', UUID_V4.test(ctx.signupToken), 'a UUID v4', ctx.signupToken, ctx.signupToken);
  return ctx.signupToken;
});

const startStep = step(
  'start',
  'Browser opens the sign-up start URL; the API redirects to the provider',
  async (ctx, s) => {
    const token = need(ctx.signupToken, 'signup token', s);
    ctx.startUrl = signupStartUrl(ctx, token);
    const hop = await ctx.browser.get(ctx.startUrl);
    // The request the API received, not the URL built here: what the server read the token from.
    const received = ctx.api.control.journal.carrying(`/web/provider-auth/${ctx.profile.id}`, 'signupToken', token);
    s.check(
      'signup token in the start URL the API received',
      received !== undefined,
      token,
      'no start request carried it',
    );
    s.expectEqual('start answers 302', 302, hop.status);
    const location = ctx.browser.locationOf(hop);
    const errorCode = location?.pathname === '/web/error' ? location.searchParams.get('code') : undefined;
    s.check(
      'start is not sent to /web/error',
      errorCode === undefined,
      'the authorize URL',
      `/web/error with code ${errorCode ?? ''}`,
    );
    const authorizeHost = ctx.hostUrl === undefined ? ctx.provider.url : ctx.hostUrl;
    s.expectEqual('authorize origin', new URL(authorizeHost).origin, location?.origin);
    s.expectEqual('authorize path', ctx.profile.authorize.path, location?.pathname);
    const shape = queryShape(rawQueryOf(hop.location ?? ''));
    const keys = expectedAuthorizeKeys(ctx.profile);
    s.check('authorize parameter order', shape.keys.join(',') === keys.join(','), keys.join(','), shape.keys.join(','));
    s.expectEqual('client_id', ctx.lab.config.clients[ctx.profile.id]?.clientId, shape.values.get('client_id'));
    ctx.redirectUri = shape.values.get('redirect_uri');
    s.expectEqual(
      'redirect_uri is the auth origin',
      `${ctx.lab.authOrigin}/provider-token/${ctx.profile.id}`,
      ctx.redirectUri,
    );
    ctx.sentState = shape.values.get('state') ?? '';
    const parts = decodeState(ctx.sentState);
    s.expectEqual('state segment 0: environment', expectedStatePrefix(ctx), parts.env);
    s.expectEqual('state has no host segment', undefined, parts.host);
    const claims = claimsOf(s, 'state JWT', parts.jwt);
    s.expectEqual('state JWT type', 'pauth', claims.type);
    s.expectEqual('state JWT userId', 'anon', claims.userId);
    s.expectEqual('state JWT st is the signup token', token, claims.st);
    s.expectEqual('state JWT nosu', ctx.noSignup ? '1' : undefined, claims.nosu);
    s.expectEqual('state JWT hu', ctx.hostUrl, claims.hu);
    s.expectEqual(
      'state JWT lifetime (exp − iat, s)',
      SIGNUP_PAUTH_LIFETIME_S,
      Number(claims.exp) - Number(claims.iat),
    );
    ctx.authorizeHop = hop;
    return `302 → ${location?.origin}${location?.pathname}`;
  },
);

const authorizeStep = step('authorize', 'Provider asks for consent and redirects back', async (ctx, s) => {
  const start = need(ctx.authorizeHop, 'authorize hop', s);
  if (ctx.identity !== undefined && ctx.sentState !== undefined)
    ctx.provider.control.signInAs(ctx.sentState, ctx.identity);
  // --deny: the person clicks Deny; scoped to this flow's state, so a sign-up in flight beside it still approves.
  if (ctx.deny && ctx.sentState !== undefined)
    ctx.provider.control.failNext('authorize', { kind: 'deny' }, ctx.sentState);
  // A real server (custom profile) may pass the browser through its own login and consent pages first.
  const real = !ctx.lab.providers.has(ctx.profile.id);
  const hop = real ? await passRealServer(ctx, s, start, ctx.redirectUri) : await ctx.browser.follow(start);
  if (!real) s.expectEqual('authorize answers 302', 302, hop.status);
  const back = ctx.browser.locationOf(hop);
  const backTo = back ? `${back.origin}${back.pathname}` : undefined;
  s.expectEqual('redirect goes to the redirect_uri', ctx.redirectUri, backTo);
  s.expectEqual('state echoed byte-identical', ctx.sentState, back?.searchParams.get('state'));
  ctx.callbackHop = hop;
  if (ctx.deny) {
    s.expectEqual('consent denied: error', 'access_denied', back?.searchParams.get('error'));
    return 'error=access_denied, state unchanged';
  }
  const code = back?.searchParams.get('code');
  s.check('code present', typeof code === 'string' && code.length > 0, 'a code', code ?? null);
  return 'code issued, state unchanged';
});

const routeStep = step('route', 'Auth-origin router sends the callback to its environment', async (ctx, s) => {
  const hop = await ctx.browser.follow(need(ctx.callbackHop, 'callback hop', s));
  if (ctx.lab.router.mode === 'proxy') return checkProxiedRoute(ctx, s, hop);
  const to = ctx.browser.locationOf(hop);
  s.expectEqual('router answers 302', 302, hop.status);
  s.expectEqual('routed to the environment', new URL(ctx.api.url).origin, to?.origin);
  s.expectEqual('routed path', `/no-auth/provider-token/${ctx.profile.id}`, to?.pathname);
  s.expectEqual('query unchanged', rawQueryOf(ctx.callbackHop?.location ?? ''), rawQueryOf(hop.location ?? ''));
  ctx.apiCallbackHop = hop;
  return `env "${ctx.envName}" by state prefix`;
});

const callbackStep = step(
  'callback',
  'API exchanges the code, looks the user up and writes the signup record',
  async (ctx, s) => {
    const hop = ctx.routedAnswer ?? (await ctx.browser.follow(need(ctx.apiCallbackHop, 'API callback hop', s)));
    s.expectEqual('callback answers 302', 302, hop.status);
    ctx.resultHop = hop;
    const location = ctx.browser.locationOf(hop);
    if (location?.pathname === '/web/error') {
      // The browser leg ended in an error; the signup record carries it, and polling will show what the IDE makes of
      // it.
      ctx.callbackError = location.searchParams.get('code') ?? '';
      s.expectEqual('error redirect carries the state', ctx.sentState, location.searchParams.get('state'));
      if (ctx.deny) s.expectEqual('error code is the provider error', 'access_denied', ctx.callbackError);
      else s.note(`the callback failed with ${ctx.callbackError}; the signup record carries it`);
      return `→ /web/error (code ${ctx.callbackError})`;
    }
    if (ctx.deny)
      s.check('a denied consent ends on /web/error', false, '/web/error?code=access_denied', location?.pathname);
    if (!ctx.lab.providers.has(ctx.profile.id)) return unjournaledCallback(ctx, s);
    const sentCode = new URL(ctx.callbackHop?.location ?? '', ctx.lab.router.url).searchParams.get('code') ?? '';
    const codeParameter = ctx.profile.token?.codeParameter ?? 'code';
    // The exchange of the code this browser carried, not the journal's latest: sign-ups may be in flight.
    const exchange = ctx.provider.control.requestCarrying('token', codeParameter, sentCode);
    s.check('exchange: code', exchange !== undefined, sentCode, 'no token request carried it');
    const params = { ...exchange?.query, ...exchange?.body };
    s.expectEqual('exchange: redirect_uri identical to authorize', ctx.redirectUri, params.redirect_uri);
    ctx.issuedToken = ctx.provider.control.issuedFrom(sentCode).at(0)?.accessToken;
    ctx.secrets.add(ctx.issuedToken);
    s.check('provider issued a token', ctx.issuedToken !== undefined, 'an access token', 'none');
    // The signup record of this flow's token names its user (contract §2.4): the isolation step checks that user.
    ctx.userId = ctx.api.control.store.signup(ctx.signupToken ?? '')?.userId ?? undefined;
    ctx.storageKey = `providerInfo.${ctx.profile.id}`;
    const calls = ctx.profile.identity?.calls ?? [];
    const identity = ctx.provider.control.requestsAuthorizedBy('identity', ctx.issuedToken ?? '\0');
    s.expectEqual('identity calls made', calls.length, identity.length, identity.map((r) => r.path).join(', '));
    s.check(
      'identity calls carry the issued token',
      identity.every((r) => r.headers.authorization === `Bearer ${ctx.issuedToken}`),
      `Bearer ${ctx.issuedToken ?? ''}`,
      identity.map((r) => r.headers.authorization),
    );
    return `identity via ${identity.map((r) => r.path).join(', ')}`;
  },
);

// A custom profile's real server keeps no journal for us: the token the API stored is the one to follow.
function unjournaledCallback(ctx: SignupContext, s: StepContext): string {
  s.note(
    `no journal: ${ctx.profile.displayName} is a real server the lab does not mock, so the exchange and identity calls cannot be checked`,
  );
  const stored = [...ctx.api.control.store.users()]
    .map((u) => getPath(u.providerInfo[ctx.profile.id], 'accessToken'))
    .find((t) => typeof t === 'string');
  ctx.issuedToken = typeof stored === 'string' ? stored : undefined;
  ctx.secrets.add(ctx.issuedToken);
  s.check('the API stored a token from the server', ctx.issuedToken !== undefined, 'a token', 'none');
  return 'token stored (the server is not mocked)';
}

const resultPageStep = step('result-page', 'Browser lands on the result page', async (ctx, s) => {
  const hop = await ctx.browser.follow(need(ctx.resultHop, 'result hop', s));
  s.expectEqual('result page answers 200', 200, hop.status);
  const title = /<title>([^<]*)<\/title>/.exec(hop.body)?.[1] ?? '';
  const success = /Successful Auth|You are now connected/.test(title);
  if (ctx.callbackError !== undefined) {
    s.check('an error page, not a success page', !success, 'an error page', title, title);
    return `error page "${title}"`;
  }
  s.check('success page title', success, 'Successful Auth', title);
  return `${new URL(hop.url).pathname} "${title}"`;
});

/** The browser leg alone (no --poll): the command then prints the check-signup request to make. */
export const signupBrowserSteps: readonly Step<SignupContext>[] = [
  tokenStep,
  startStep,
  authorizeStep,
  routeStep,
  callbackStep,
  resultPageStep,
  isolationStep<SignupContext>({ via: 'router', expectDelivered: () => true }),
];

/** The whole sign-up with the agent polling from before the browser opens, as the webview does. */
export const signupPollSteps: readonly Step<SignupContext>[] = [
  tokenStep,
  pollStartStep,
  startStep,
  authorizeStep,
  routeStep,
  callbackStep,
  resultPageStep,
  pollStep,
  packageStep,
  singleUseStep,
  // Last, so the environments are checked once the record was read: other environments saw nothing.
  isolationStep<SignupContext>({ via: 'router', expectDelivered: () => true }),
];

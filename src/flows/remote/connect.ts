/**
 * "Connect to X" against a CodeStream API the lab did not start (`--api-url`): the hops an IDE and a browser
 * make, each checked where the contract defines what crosses the wire; the API's journal, store and broadcaster
 * are not visible, so the store and delivery checks become one check on `GET /users/me`.
 */
import { isRedirect } from '../../agent-sim/browser.js';
import { MAX_HOPS } from '../../agent-sim/navigate.js';
import { decodeState } from '../../state.js';
import { checkConnectPauth } from '../engine/checks.js';
import { passRealServer } from '../engine/real-server.js';
import { operatorOf, userDirective } from '../engine/directive.js';
import { need, type Step, type StepContext } from '../engine/runner.js';
import { startQuery } from '../connect/expect.js';
import { checkStartRedirect, step } from './start.js';
import { pollMe, providerKey, tokenIn, type RemoteContext } from './context.js';

/** The lab's connect checks a remote run cannot make: they read the mock API's journal, store or broadcaster. */
export const connectSkipped = (ctx: Pick<RemoteContext, 'labProvider' | 'broadcaster'>): string[] => [
  ...(ctx.labProvider ? [] : ["client and callback URL in authorize (the API's own configuration, not the lab's)"]),
  'state segment 0 (the API names its environment)',
  "the provider's code exchange and its format (the API's outbound calls)",
  'the token stored under providerInfo (read back through /users/me instead)',
  ...(ctx.broadcaster ? [] : ['the directive on user-<id> (no --broadcaster-url)']),
  'other environments saw nothing',
];

export const remoteConnectSteps: readonly Step<RemoteContext>[] = [
  step('login', 'Agent loads the me-object', async (ctx, s) => {
    const me = await ctx.client.me();
    s.check('me-object has an id', typeof me.id === 'string' && me.id !== '', 'a user id', me.id);
    ctx.userId = String(me.id);
    ctx.tokenBefore = tokenIn(me, ctx);
    ctx.secrets.add(ctx.tokenBefore);
    if (ctx.tokenBefore !== undefined) s.note(`${providerKey(ctx)} already holds a token; the connect must replace it`);
    return `user ${ctx.userId}`;
  }),

  step('auth-code', 'Agent gets a pauth code (GET /provider-auth-code)', async (ctx, s) => {
    ctx.pauth = await ctx.client.providerAuthCode(ctx.teamId);
    ctx.secrets.add(ctx.pauth);
    return checkConnectPauth(s, ctx.pauth, { userId: ctx.userId, teamId: ctx.teamId });
  }),

  step('subscribe', 'Agent subscribes to its me-channel (--broadcaster-url)', async (ctx, s) => {
    if (ctx.broadcaster === undefined) return s.skip('no --broadcaster-url: delivery is seen in GET /users/me');
    const channel = `user-${ctx.userId ?? ''}`;
    // The client appends /broadcaster to the base it is given, as for the lab's own API.
    const base = ctx.broadcaster.url.replace(/\/broadcaster\/?$/, '');
    await ctx.broadcasts.subscribe({ apiUrl: base, token: ctx.broadcaster.token, channels: [channel] });
    s.expectEqual('broadcaster confirmed the channel', channel, ctx.broadcasts.confirmedChannels.join(','));
    return channel;
  }),

  step('start', 'Browser opens the start URL; the API redirects to the provider', async (ctx, s) => {
    const query = startQuery(ctx.profile, { pauth: ctx.pauth ?? '' });
    const { hop, location, shape } = await checkStartRedirect(
      ctx,
      s,
      `${ctx.apiUrl}/web/provider-auth/${ctx.profile.id}?${query}`,
    );
    s.check('every value encodeURIComponent-encoded', shape.badlyEncoded.length === 0, 'none', shape.badlyEncoded);
    ctx.sentState = shape.values.get('state') ?? '';
    s.expectEqual('state segment 1: the very pauth issued', ctx.pauth, decodeState(ctx.sentState).jwt);
    ctx.redirectUri = shape.values.get('redirect_uri') ?? '';
    const lab = ctx.labProvider;
    if (lab) {
      // The run started this provider (--provider-port): the API must send the browser to it, with its client.
      s.expectEqual('authorize origin (the lab provider)', new URL(lab.provider.url).origin, location?.origin);
      s.expectEqual('client_id (the lab config client)', lab.clientId, shape.values.get('client_id'));
      s.expectEqual('callback URL (authOrigin/provider-token/<p>)', lab.redirectUri, ctx.redirectUri);
    }
    s.note(`the API's callback (register it at the provider): ${ctx.redirectUri}`);
    // The provider is the API's: the browser may go there now, and to the callback it names.
    if (location) ctx.origins.set(location.origin, 'provider');
    ctx.authorizeHop = hop;
    return `302 → ${location?.origin ?? ''}${location?.pathname ?? ''}`;
  }),

  step('authorize', 'Provider approves and redirects back', async (ctx, s) => {
    const hop = await passRealServer(ctx, s, need(ctx.authorizeHop, 'authorize hop', s), ctx.redirectUri);
    const back = new URL(hop.location ?? '', hop.url).searchParams;
    s.check('a code in the redirect back', (back.get('code') ?? '') !== '', 'a code', back.get('code'));
    s.expectEqual('state comes back unchanged', ctx.sentState, back.get('state'));
    ctx.code = back.get('code') ?? '';
    ctx.secrets.add(ctx.code);
    ctx.callbackHop = hop;
    return `${hop.status} → ${ctx.redirectUri ?? ''}`;
  }),

  step('callback', "The API's callback takes the code and sends the browser to the success page", async (ctx, s) => {
    let hop = need(ctx.callbackHop, 'callback hop', s);
    let hops = 0;
    // The callback's own chain (the API's auth origin, then its success page) is the API's: each origin is allowed.
    while (isRedirect(hop) && hops < MAX_HOPS) {
      const to = ctx.browser.locationOf(hop);
      if (to && !ctx.origins.has(to.origin)) ctx.origins.set(to.origin, hops === 0 ? 'router' : 'marketing');
      s.check('not sent to /web/error', to?.pathname !== '/web/error', 'a success redirect', to?.href);
      hop = await ctx.browser.follow(hop);
      hops++;
    }
    s.expectEqual('success page answers 200', 200, hop.status);
    return `${hops} hops → ${new URL(hop.url).pathname}`;
  }),

  step('delivery', 'Agent sees the new token (me-channel or GET /users/me)', async (ctx, s) => {
    // With the lab's provider, the token it issued for this flow's code is the one to wait for.
    const issued = ctx.labProvider?.provider.control.issuedFrom(ctx.code ?? '').find((i) => i.kind === 'code');
    if (ctx.labProvider)
      s.check("the lab provider issued a token for this flow's code", issued !== undefined, 'a token', 'none');
    if (ctx.broadcaster !== undefined) await broadcastDelivery(ctx, s, issued?.accessToken);
    const seen = await pollMe(ctx, (me) => {
      const token = tokenIn(me, ctx);
      return issued ? token === issued.accessToken : token !== undefined && token !== ctx.tokenBefore;
    });
    const token = tokenIn(seen.me, ctx);
    ctx.secrets.add(token);
    s.check(
      `a new token under ${providerKey(ctx)}.accessToken within ${ctx.timeoutMs} ms`,
      seen.ok,
      issued ? 'the token the lab provider issued' : 'a token the connect stored',
      token === undefined ? 'none' : issued ? 'another token' : 'the token from before the connect',
    );
    if (token !== undefined) ctx.deliveredToken = token;
    if (ctx.broadcastToken !== undefined)
      s.expectEqual('/users/me holds the token the directive set', ctx.broadcastToken, token);
    if (ctx.skipped.length === 0) noteSkipped(s, connectSkipped(ctx));
    return `after ${seen.polls} poll${seen.polls === 1 ? '' : 's'}`;
  }),
];

/**
 * Contract §4.2: the callback's directive on user-<id> sets providerInfo.<team>.<p>.accessToken; the flow's own
 * is the one setting the token its provider issued, or (without the lab's provider) any new token.
 */
async function broadcastDelivery(ctx: RemoteContext, s: StepContext, issued: string | undefined): Promise<void> {
  const key = `${providerKey(ctx)}.accessToken`;
  const setOf = (m: { message: Record<string, unknown> }): unknown =>
    operatorOf(userDirective(m.message), '$set')?.[key];
  const got = await ctx.broadcasts
    .waitFor(
      (m) =>
        m.channel === `user-${ctx.userId ?? ''}` &&
        typeof setOf(m) === 'string' &&
        (issued === undefined ? setOf(m) !== ctx.tokenBefore : setOf(m) === issued),
      ctx.timeoutMs,
      ctx.signal,
    )
    .catch(() => undefined);
  s.check(
    `a directive setting ${key} on user-${ctx.userId ?? ''}`,
    got !== undefined,
    'a directive',
    'none within --timeout',
  );
  s.expectEqual('directive user id', ctx.userId, userDirective(got?.message ?? {}).id);
  ctx.broadcastToken = String(setOf(got ?? { message: {} }));
  ctx.secrets.add(ctx.broadcastToken);
}

/** The one note of a remote run that lists what it could not check. */
export function noteSkipped(s: StepContext, checks: readonly string[]): void {
  s.note(`skipped without the API's journal and store (--api-url): ${checks.join('; ')}`);
}

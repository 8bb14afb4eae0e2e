/**
 * The last step of every multi-environment run (issue: many environments behind one callback): the
 * environments the run did not target saw nothing, and the edge (router, VPN proxy) sent traffic to the
 * chosen environment only. It also says which callback origin the flow used and why (contract §7).
 */
import type { FlowLab } from '../../lab/start-lab.js';
import type { LabApi } from '../../lab/start-lab.js';
import type { Step, StepContext } from './runner.js';
import { getPath } from '../../util/dotted.js';
import { operatorOf } from './directive.js';
import { expectedStatePrefix } from './environment.js';

/** What the step reads from a flow's context. */
export interface IsolationContext {
  lab: FlowLab;
  envName: string;
  /** The redirect_uri the start route sent (connect, sign-up); absent for provider-initiated calls. */
  redirectUri?: string | undefined;
  profile?: { id?: string; restrictive?: boolean; delivery?: { mode: string } } | undefined;
  /** The state the start route sent: the flow's own callback, told apart from other flows' in flight. */
  sentState?: string | undefined;
  /**
   * The id a provider-initiated call carried in its body (Slack's trigger_id, the Teams activity id): the run's
   * own call, told apart from other calls through the same proxy.
   */
  callId?: string | undefined;
  /** The token the provider issued to this flow: where it may be stored and broadcast. */
  issuedToken?: string | undefined;
  /** A token a later step of this flow got for the same key (the refresh flow's new token). */
  refreshedToken?: string | undefined;
  /** The flow removed its own token again (disconnect): nothing of its own is left under its key. */
  deauthDirective?: Record<string, unknown> | undefined;
  /** The CodeStream user of this flow (connect: the agent's; sign-up: the one the signup record named). */
  userId?: string | undefined;
  /** Where the token belongs on that user (providerInfo.<team>.<provider>…), when the flow learned it. */
  storageKey?: string | undefined;
}

export interface IsolationOptions<C> {
  /** Which edge box carried the run's traffic: the router (callbacks) or the VPN proxy (provider calls). */
  via: 'router' | 'proxy';
  /**
   * Whether the chosen environment must have received something through that box (false when a refusal was expected).
   */
  expectDelivered: (ctx: C) => boolean;
}

/** Builds the `isolation` step, "Other environments saw nothing". */
export function isolationStep<C extends IsolationContext>(opts: IsolationOptions<C>): Step<C> {
  return {
    id: 'isolation',
    title: 'Other environments saw nothing',
    async run(ctx, s) {
      const others = [...ctx.lab.envs].filter(([name]) => name !== ctx.envName);
      // With the flow's own state or call id known, only its traffic counts: other flows may be in flight in the lab.
      for (const [name, api] of others)
        if (ctx.sentState !== undefined) checkUntouchedByFlow(ctx, s, name, api);
        else if (ctx.callId !== undefined) checkUntouchedByCall(s, name, api, ctx.callId);
        else checkUntouched(s, name, api);
      const edge =
        opts.via === 'router'
          ? checkRouter(ctx, s, expectedStatePrefix(ctx), opts.expectDelivered(ctx))
          : checkProxy(ctx, s, opts.expectDelivered(ctx));
      checkTokenOwnership(ctx, s);
      if (others.length === 0)
        s.note('no other environment runs in this lab; start several with --envs pd,qa,local-10-1-2-3');
      const names = others.map(([name]) => name);
      return `${names.length === 0 ? 'no other environments' : `${names.join(', ')} saw nothing`}; ${edge}`;
    },
  };
}

function checkUntouched(s: StepContext, name: string, api: LabApi): void {
  const requests = api.control.journal.all;
  s.check(
    `${name}: no request reached its API`,
    requests.length === 0,
    'no requests',
    requests.slice(0, 3).map((r) => `${r.method} ${r.path}`),
  );
  const tokens = [...api.control.store.users()].filter((u) => hasAccessToken(u.providerInfo)).map((u) => u.id);
  s.check(`${name}: no providerInfo token stored`, tokens.length === 0, 'none', tokens);
  const published = api.control.broadcasts.history;
  s.check(
    `${name}: no message on its broadcaster`,
    published.length === 0,
    'none',
    published.slice(0, 3).map((m) => m.channel),
  );
  const actions = api.control.providerActions.received.length;
  s.check(`${name}: no provider action received`, actions === 0, 0, actions);
}

/** Other environments saw nothing of this flow: no request with its state, no copy of its token anywhere. */
function checkUntouchedByFlow(ctx: IsolationContext, s: StepContext, name: string, api: LabApi): void {
  const state = ctx.sentState ?? '';
  const path = `/provider-token/${ctx.profile?.id ?? ''}`;
  const carried = api.control.journal.withQuery('state', state).filter((r) => r.path.endsWith(path));
  s.check(
    `${name}: no request carried this flow's state`,
    carried.length === 0,
    'none',
    carried.slice(0, 3).map((r) => `${r.method} ${r.path}`),
  );
  const token = ctx.issuedToken;
  if (token === undefined) return;
  const holders = api.control.store.holding(token);
  s.check(
    `${name}: no user holds this flow's token`,
    holders.length === 0,
    'none',
    holders.map((u) => u.id),
  );
  const published = api.control.broadcasts.carrying(token);
  s.check(
    `${name}: no message carried this flow's token`,
    published.length === 0,
    'none',
    published.map((m) => m.channel),
  );
}

/**
 * Other environments saw nothing of this provider call: no call carrying its id reached their provider-action
 * endpoint (whose journal keeps each call's raw body) and none of them recorded an action for it.
 */
function checkUntouchedByCall(s: StepContext, name: string, api: LabApi, callId: string): void {
  const received = api.control.providerActions.received.filter((r) => r.rawBody.includes(callId));
  s.check(
    `${name}: no provider call carried this run's id`,
    received.length === 0,
    `no call with ${callId}`,
    received.map((r) => `POST /no-auth/provider-action/${r.provider} → ${r.status ?? '?'}`),
  );
  const actions = api.control.providerActions.actions.filter((a) => a.callId === callId);
  s.check(
    `${name}: no action recorded for this run's call`,
    actions.length === 0,
    'none',
    actions.map((a) => `${a.type} by ${a.providerUserId ?? '?'}`),
  );
}

/**
 * No other flow's token reached this user (the flow's storage key on its user holds its own token, and every
 * directive on user-<id> setting that key carried it) and this flow's token reached no other user (no other
 * user's store or channel in the flow's environment carries it).
 */
function checkTokenOwnership(ctx: IsolationContext, s: StepContext): void {
  const token = ctx.issuedToken;
  const userId = ctx.userId;
  const api = ctx.lab.envs.get(ctx.envName);
  if (token === undefined || userId === undefined || api === undefined) return;
  const elsewhere = api.control.store.holding(token).filter((u) => u.id !== userId);
  s.check(
    "this flow's token reached no other user",
    elsewhere.length === 0,
    'none',
    elsewhere.map((u) => u.id),
  );
  const channel = `user-${userId}`;
  const strayChannels = api.control.broadcasts.carrying(token).filter((m) => m.channel !== channel);
  s.check(
    "this flow's token was published on no other channel",
    strayChannels.length === 0,
    'none',
    strayChannels.map((m) => m.channel),
  );
  const key = ctx.storageKey;
  if (key === undefined) return;
  const own = new Set([token, ...(ctx.refreshedToken === undefined ? [] : [ctx.refreshedToken])]);
  const stored = getPath(api.control.store.user(userId), `${key}.accessToken`);
  // After a disconnect its own steps say what is left under the key; any other flow's token is still foreign.
  if (ctx.deauthDirective === undefined)
    s.expectEqual(`no other flow's token reached ${userId} (${key})`, ctx.refreshedToken ?? token, stored);
  else
    s.check(
      `no other flow's token reached ${userId} (${key})`,
      stored === undefined || (typeof stored === 'string' && own.has(stored)),
      'none or its own',
      stored,
    );
  const foreign = api.control.broadcasts
    .messagesOn(channel)
    .map((m) => setValueOf(m.message, key))
    .filter((v) => v !== undefined && !(typeof v === 'string' && own.has(v)));
  s.check(`no directive on ${channel} set another flow's token under ${key}`, foreign.length === 0, 'none', foreign);
}

// A directive sets either the dotted key itself (…accessToken) or the whole object at the key.
function setValueOf(message: Record<string, unknown>, key: string): unknown {
  const set = operatorOf(message.user, '$set');
  if (set === undefined) return undefined;
  const direct = set[`${key}.accessToken`];
  if (direct !== undefined) return direct;
  return getPath(set[key], 'accessToken');
}

// A token is found where it is stored or published as a whole string: the store and the broadcaster index
// every string of providerInfo and of each message (issue 14), so these checks cost the same in a lab that has
// run ten thousand flows as in a fresh one.

function checkRouter(ctx: IsolationContext, s: StepContext, target: string, expectDelivered: boolean): string {
  // The same user connecting several providers in one second gets the same pauth, so the state alone is not
  // this flow's: the callback path names the provider.
  const path = `/provider-token/${ctx.profile?.id ?? ''}`;
  const candidates = ctx.sentState === undefined ? ctx.lab.router.hits : ctx.lab.router.withState(ctx.sentState);
  const routed = candidates.filter(
    (h) => h.routedTo !== undefined && (ctx.sentState === undefined || h.path.endsWith(path)),
  );
  const elsewhere = routed.filter((h) => h.env !== target).map((h) => h.env ?? '?');
  s.check('router sent no callback to another environment', elsewhere.length === 0, 'none', elsewhere);
  const origin = callbackOrigin(ctx);
  if (origin.viaRouter) {
    if (expectDelivered)
      s.check(`router routed the callback to "${target}"`, routed.length > 0, 'at least one', routed.length);
    return `callback origin: authOrigin ${ctx.lab.authOrigin} (the router, ${ctx.lab.router.mode} mode)${origin.why}`;
  }
  // A fragment provider's page sends its second hop to authOrigin even when the first bypassed it (contract §7).
  const scriptHops = ctx.profile?.delivery?.mode === 'fragment' ? 1 : 0;
  s.check(
    scriptHops === 0 ? 'router saw no callback of this run' : "router saw only the fragment page's second hop",
    routed.length === scriptHops,
    scriptHops === 0 ? 'none' : scriptHops,
    routed.length,
  );
  return `callback origin: ${origin.label}${origin.why}`;
}

function checkProxy(ctx: IsolationContext, s: StepContext, expectDelivered: boolean): string {
  // By the call's id when the run knows it: other calls may pass the same proxy meanwhile.
  const callId = ctx.callId;
  const forwarded = ctx.lab.vpnProxy.hits.filter(
    (h) => h.env !== undefined && (callId === undefined || h.rawBody.includes(callId)),
  );
  const elsewhere = forwarded.filter((h) => h.env !== ctx.envName).map((h) => h.env ?? '?');
  s.check(
    callId === undefined
      ? 'VPN proxy forwarded nothing to another environment'
      : 'VPN proxy forwarded this call to no other environment',
    elsewhere.length === 0,
    'none',
    elsewhere,
  );
  if (expectDelivered)
    s.check(`VPN proxy forwarded the call to "${ctx.envName}"`, forwarded.length > 0, 'at least one', forwarded.length);
  const where = ctx.lab.vpnProxy.host === 'same' ? "the router's host" : 'its own origin';
  return `VPN proxy at ${ctx.lab.vpnProxy.url} (${where})`;
}

/** Which origin the start route put in redirect_uri, and why: authOrigin (the router) or publicApiUrl. */
function callbackOrigin(ctx: IsolationContext): { viaRouter: boolean; label: string; why: string } {
  const uri = ctx.redirectUri;
  const restrictive = ctx.profile?.restrictive === true;
  if (uri === undefined || uri.startsWith(`${ctx.lab.authOrigin}/`)) {
    return { viaRouter: true, label: 'authOrigin', why: restrictive ? ' — unexpected for a restrictive provider' : '' };
  }
  const env = ctx.lab.envs.get(ctx.envName);
  const direct = env !== undefined && uri.startsWith(`${env.url}/`);
  return {
    viaRouter: false,
    label: direct ? `publicApiUrl ${env.url}/no-auth (the environment itself)` : uri,
    why: restrictive
      ? ' — a restrictive provider: the router could not read the state of its callback, so the start route used publicApiUrl (contract §7)'
      : '',
  };
}

function hasAccessToken(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(
    ([key, inner]) => (key === 'accessToken' && inner !== undefined) || hasAccessToken(inner),
  );
}

/**
 * The last step of every multi-environment run (issue: many environments behind one callback): the
 * environments the run did not target saw nothing, and the edge (router, VPN proxy) sent traffic to the
 * chosen environment only. It also says which callback origin the flow used and why (contract §7).
 */
import type { Lab } from '../../lab/start-lab.js';
import type { RunningApi } from '../../mock-api/index.js';
import type { Step, StepContext } from './runner.js';

/** What the step reads from a flow's context. */
export interface IsolationContext {
  lab: Lab;
  envName: string;
  /** The redirect_uri the start route sent (connect, sign-up); absent for provider-initiated calls. */
  redirectUri?: string | undefined;
  profile?: { restrictive?: boolean; delivery?: { mode: string } } | undefined;
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
      const chosen = ctx.lab.envs.get(ctx.envName);
      const others = [...ctx.lab.envs].filter(([name]) => name !== ctx.envName);
      for (const [name, api] of others) checkUntouched(s, name, api);
      const edge =
        opts.via === 'router'
          ? checkRouter(ctx, s, chosen, opts.expectDelivered(ctx))
          : checkProxy(ctx, s, opts.expectDelivered(ctx));
      if (others.length === 0)
        s.note('no other environment runs in this lab; start several with --envs pd,qa,local-10-1-2-3');
      const names = others.map(([name]) => name);
      return `${names.length === 0 ? 'no other environments' : `${names.join(', ')} saw nothing`}; ${edge}`;
    },
  };
}

function checkUntouched(s: StepContext, name: string, api: RunningApi): void {
  const requests = api.ctx.requests;
  s.check(
    `${name}: no request reached its API`,
    requests.length === 0,
    'no requests',
    requests.slice(0, 3).map((r) => `${r.method} ${r.path}`),
  );
  const tokens = [...api.ctx.store.users.values()].filter((u) => hasAccessToken(u.providerInfo)).map((u) => u.id);
  s.check(`${name}: no providerInfo token stored`, tokens.length === 0, 'none', tokens);
  const published = api.ctx.broadcaster.history;
  s.check(
    `${name}: no message on its broadcaster`,
    published.length === 0,
    'none',
    published.slice(0, 3).map((m) => m.channel),
  );
  const actions = api.ctx.providerActions.received.length;
  s.check(`${name}: no provider action received`, actions === 0, 0, actions);
}

function checkRouter(
  ctx: IsolationContext,
  s: StepContext,
  chosen: RunningApi | undefined,
  expectDelivered: boolean,
): string {
  const target = chosen?.ctx.env.callbackEnvironment ?? null;
  const routed = ctx.lab.router.hits.filter((h) => h.routedTo !== undefined);
  const elsewhere = routed.filter((h) => h.env !== target).map((h) => h.env ?? '?');
  s.check('router sent no callback to another environment', elsewhere.length === 0, 'none', elsewhere);
  const origin = callbackOrigin(ctx);
  if (origin.viaRouter) {
    if (expectDelivered)
      s.check(`router routed the callback to "${String(target)}"`, routed.length > 0, 'at least one', routed.length);
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
  const forwarded = ctx.lab.vpnProxy.hits.filter((h) => h.env !== undefined);
  const elsewhere = forwarded.filter((h) => h.env !== ctx.envName).map((h) => h.env ?? '?');
  s.check('VPN proxy forwarded nothing to another environment', elsewhere.length === 0, 'none', elsewhere);
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

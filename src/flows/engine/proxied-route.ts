/**
 * The "route" hop of connect and sign-up when the auth-origin router runs as a reverse proxy: the browser
 * gets the environment's own answer from the router's origin, so the callback is checked on both journals.
 */
import { expectedStatePrefix } from './environment.js';
import type { Hop } from '../../agent-sim/browser.js';
import { rawQueryOf } from './checks.js';
import type { AgentContext } from './context.js';
import type { StepContext } from './runner.js';

/** What the check reads and keeps: the provider's redirect back, and the relayed answer for the callback step. */
export interface ProxiedRouteContext extends AgentContext {
  callbackHop?: Hop;
  routedAnswer?: Hop;
}

/** Checks a proxied callback and keeps the relayed answer for the callback step. */
export function checkProxiedRoute(ctx: ProxiedRouteContext, s: StepContext, hop: Hop): string {
  // This flow's callback, by the query its browser carried (code and state): other callbacks may be in flight.
  const query = rawQueryOf(ctx.callbackHop?.location ?? '');
  const hit = ctx.lab.router.hits.find(
    (h) => h.path === `/no-auth/provider-token/${ctx.profile.id}` && h.rawQuery === query,
  );
  s.expectEqual('router proxied to the environment', ctx.api.url, hit?.routedTo);
  s.expectEqual('router chose by state prefix', expectedStatePrefix(ctx), hit?.env);
  const seen = ctx.api.control.journal
    .to(`/no-auth/provider-token/${ctx.profile.id}`)
    .find((r) => r.rawQuery === query);
  s.check('environment received the callback', seen !== undefined, 'a GET /no-auth/provider-token', 'none');
  s.expectEqual('query unchanged', query, seen?.rawQuery);
  s.expectEqual("router relayed the environment's status", seen?.status, hop.status);
  if (hit?.location !== undefined && hop.location !== hit.location)
    s.note(`relative Location made absolute on the environment: ${hit.location}`);
  ctx.routedAnswer = hop;
  return `env "${ctx.envName}" by state prefix, proxied: the router relayed its ${hop.status}`;
}

/**
 * The real-browser connect's checks of the hops the person's browser made on its own, read back from the
 * lab's journals: the start redirect and the provider's answer are rebuilt as hops so the headless flow's
 * own checks run on them, for every kind of profile (code, fragment, OAuth 1.0a, restrictive, enterprise).
 */
import { expectedStatePrefix } from '../engine/environment.js';
import type { Hop } from '../../agent-sim/browser.js';
import type { Actor } from '../../events.js';
import { FlowError } from '../../errors.js';
import { defined } from '../../util/defined.js';
import { rawQueryOf } from '../engine/checks.js';
import type { ConnectBrowserContext } from './browser.js';
import { flowKind } from './expect.js';
import { checkRedirectBack, checkStart } from './start.js';
import type { StepContext } from '../engine/runner.js';

/** A hop rebuilt from a server's journal entry: what was asked and answered, without timing or body. */
function journalHop(
  to: Actor,
  url: string,
  entry: { method: string; status?: number; location?: string; at: number },
): Hop {
  return {
    from: 'browser',
    to,
    method: entry.method,
    url,
    status: entry.status ?? 0,
    ms: 0,
    startedAt: entry.at,
    body: '',
    ...defined({ location: entry.location }),
  };
}

/** Runs the headless start checks on the start route's answer as the API journaled it. */
export function checkJournaledStart(ctx: ConnectBrowserContext, s: StepContext): void {
  const start = ctx.api.control.journal.all
    .slice(ctx.since?.api ?? 0)
    .find((r) => r.method === 'GET' && r.path.endsWith(`/provider-auth/${ctx.profile.id}`));
  if (start === undefined) throw new FlowError('CHECK_FAILED', 'the API journal has no start request', s.step);
  checkStart(ctx, s, journalHop('api', `${ctx.api.url}${start.path}?${start.rawQuery}`, start));
}

/**
 * Runs the headless checks of the provider's redirect back on the answer that sent the browser to the
 * callback: the consent form's 303 (or authorize's 302 when the provider approved without a page).
 */
export function checkJournaledAnswer(ctx: ConnectBrowserContext, s: StepContext): void {
  const answer = ctx.provider.control.requests
    .slice(ctx.since?.provider ?? 0)
    .filter((r) => (r.endpoint === 'consent' || r.endpoint === 'authorize') && r.location !== undefined)
    .at(-1);
  if (answer === undefined)
    throw new FlowError('CHECK_FAILED', 'the provider journal has no redirect back to the callback', s.step);
  checkRedirectBack(ctx, s, journalHop('provider', `${ctx.authorizeOrigin}${answer.path}?${answer.rawQuery}`, answer));
}

/**
 * Which callbacks went through the router: the provider's answer unless the profile is restrictive
 * (contract §7), plus a fragment page's second hop; each one to the run's environment, query unchanged.
 */
export function checkRouting(ctx: ConnectBrowserContext, s: StepContext): void {
  const path = `/no-auth/provider-token/${ctx.profile.id}`;
  const hits = ctx.lab.router.hits.slice(ctx.since?.router ?? 0).filter((h) => h.path === path);
  const fromProvider = ctx.profile.restrictive ? 0 : 1;
  const fromScript = flowKind(ctx.profile) === 'fragment' ? 1 : 0;
  if (ctx.profile.restrictive)
    s.note(
      `no router hop for the provider's answer: it went to publicApiUrl ${ctx.api.url} directly, because ${ctx.profile.displayName} is restrictive`,
    );
  s.expectEqual('callbacks through the router', fromProvider + fromScript, hits.length);
  for (const hit of hits)
    s.expectEqual('router sent the callback to its environment', expectedStatePrefix(ctx), hit.env);
  if (fromScript === 0) {
    // The provider's query must arrive byte for byte (the headless route step's "query unchanged").
    const name = fromProvider === 1 ? 'router passed the query unchanged' : 'callback query is what the provider sent';
    s.expectEqual(name, rawQueryOf(ctx.callbackHop?.location ?? ''), ctx.callback?.rawQuery);
  }
}

/**
 * Contract §1.5 step 3 in the person's browser: the first callback got the script page without the token,
 * and the page's script brought the token and the state back through the auth origin.
 */
export function checkFragmentHop(ctx: ConnectBrowserContext, s: StepContext): void {
  if (flowKind(ctx.profile) !== 'fragment') return;
  const path = `/no-auth/provider-token/${ctx.profile.id}`;
  const [page, second] = ctx.api.control.journal.all
    .slice(ctx.since?.api ?? 0)
    .filter((r) => r.method === 'GET' && r.path === path);
  s.expectEqual('first callback answers 200 (the fragment-hop page)', 200, page?.status);
  const delivery = ctx.profile.delivery;
  const field = delivery.mode === 'fragment' ? delivery.tokenField : 'token';
  s.check(
    'the fragment stayed in the browser',
    !new URLSearchParams(page?.rawQuery ?? '').has(field),
    `no "${field}" in the first callback's query`,
    page?.rawQuery,
  );
  const query = new URLSearchParams(second?.rawQuery ?? '');
  s.expectEqual('script puts the fragment token in the query', ctx.issuedToken, query.get('token'));
  s.expectEqual('script carries the state', ctx.sentState, query.get('state'));
  const routed = ctx.lab.router.hits
    .slice(ctx.since?.router ?? 0)
    .some((h) => h.path === path && new URLSearchParams(h.rawQuery).get('token') === ctx.issuedToken);
  s.check(
    'script navigates through the auth origin',
    routed,
    `${ctx.lab.authOrigin}/provider-token/${ctx.profile.id}`,
    'no router hit with the token',
  );
}

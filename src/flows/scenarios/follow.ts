/** The browser's way from the hop where a scenario diverged to the page it ends on, checked hop by hop. */
import type { Hop } from '../../agent-sim/browser.js';
import { need, type StepContext } from '../engine/runner.js';
import type { ScenarioContext, ScenarioRuntime } from './runtime.js';

// At most this many redirects between the hop that diverged and the page it ends on.
const MAX_HOPS = 6;

/** Follows redirects from the browser's last hop (or opens `first()`) until `done` says stop. */
export async function followUntil(
  ctx: ScenarioContext,
  s: StepContext,
  done: (hop: Hop) => boolean,
  first: () => string,
): Promise<Hop> {
  const last = ctx.browser.hops.at(-1);
  let hop = last === undefined ? await ctx.browser.get(first()) : await ctx.browser.follow(last);
  for (let i = 1; !done(hop); i++) {
    const redirect = hop.status >= 300 && hop.status < 400 && hop.location !== undefined;
    s.check(
      'the browser is redirected on',
      redirect && i < MAX_HOPS,
      'a redirect',
      `${hop.status} from the ${hop.to} at ${new URL(hop.url).pathname}`,
    );
    hop = await ctx.browser.follow(hop);
  }
  return hop;
}

/** Follows to the environment's /web/error and checks its code, provider and state; returns its URL. */
export async function followToWebError(
  ctx: ScenarioContext,
  s: StepContext,
  rt: ScenarioRuntime,
  expected: { code: string; state: boolean; providerError?: string | null },
  first: () => string,
): Promise<URL> {
  const apiOrigin = new URL(ctx.api.url).origin;
  const errorPage = (hop: Hop): URL | undefined => {
    const to = ctx.browser.locationOf(hop);
    return to?.pathname === '/web/error' && to.origin === apiOrigin ? to : undefined;
  };
  const end = await followUntil(ctx, s, (hop) => errorPage(hop) !== undefined, first);
  const url = need(errorPage(end), 'redirect to /web/error', s);
  const q = url.searchParams;
  s.expectEqual('/web/error code', expected.code, q.get('code'));
  s.expectEqual('/web/error provider', rt.callbackProvider, q.get('provider'));
  s.expectEqual('/web/error carries a state', expected.state, q.has('state'));
  if (expected.providerError !== undefined)
    s.expectEqual('/web/error providerError', expected.providerError, q.get('providerError'));
  return url;
}

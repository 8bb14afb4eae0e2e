/**
 * A fragment provider that sends the browser back with no token (contract §1.5 step 3, failure mode 13): the
 * callback page's script goes to ?error=NO_TOKEN&state=…, which carries no token either, so provider-token
 * answers the same page again, before it ever reads `error`. The run follows the loop for a few rounds.
 */
import type { Hop } from '../../../agent-sim/browser.js';
import { need, type Step, type StepContext } from '../../engine/runner.js';
import type { ConnectContext } from '../../connect/steps.js';
import type { ScenarioRuntime } from '../runtime.js';
import type { Expectation } from '../types.js';
import { followUntil } from '../follow.js';
import { nothingDeliveredStep } from './expect-connect.js';

type Ctx = ConnectContext;

export function scriptLoopSteps(
  expect: Extract<Expectation, { outcome: 'script-loop' }>,
  rt: ScenarioRuntime,
): Step<Ctx>[] {
  const loop: Step<Ctx> = {
    id: expect.from,
    title: `The callback page sends the browser to ?error=NO_TOKEN and is served again (${expect.rounds} rounds)`,
    async run(ctx, s) {
      // From the start's redirect: the provider, the router, then the environment's page (200).
      let page = await followUntil(
        ctx,
        s,
        (hop) => hop.status === 200,
        () => ctx.api.url,
      );
      for (let round = 1; round <= expect.rounds; round++) {
        const next = checkPage(ctx, s, page, round);
        const hop = await ctx.browser.get(next);
        // Through the router: a redirect to the environment, or (proxy mode) the environment's answer relayed.
        page = hop.status >= 300 && hop.status < 400 ? await ctx.browser.follow(hop) : hop;
      }
      checkPage(ctx, s, page, expect.rounds + 1);
      s.note('provider-token answers the NO_TOKEN hop with the same page: a real browser reloads it until closed');
      return `${expect.rounds} rounds of page → ?error=NO_TOKEN → the same page; never /web/error`;
    },
  };
  return [loop, nothingDeliveredStep(rt)];
}

// Each page is the fragment-hop page again, and its script finds no token: the next stop is ?error=NO_TOKEN.
function checkPage(ctx: Ctx, s: StepContext, page: Hop, round: number): string {
  s.expectEqual(`round ${round}: the environment answers 200 with the page`, 200, page.status);
  s.check(
    `round ${round}: not a redirect to /web/error`,
    page.location === undefined,
    'no Location',
    page.location ?? 'none',
  );
  const next = need(ctx.browser.scriptedNavigation(page), 'the page script', s);
  const target = new URL(next, page.url);
  s.expectEqual(`round ${round}: the script sends error=NO_TOKEN`, 'NO_TOKEN', target.searchParams.get('error'));
  s.expectEqual(`round ${round}: and no token`, null, target.searchParams.get('token'));
  s.expectEqual(`round ${round}: with the state`, ctx.sentState, target.searchParams.get('state'));
  return target.href;
}

/** What the remote connect and sign-up share: their step builder and the check of the API's start redirect. */
import type { Hop } from '../../agent-sim/browser.js';
import { queryShape, rawQueryOf } from '../engine/checks.js';
import type { Step, StepContext } from '../engine/runner.js';
import { expectedAuthorizeKeys } from '../connect/expect.js';
import type { RemoteContext } from './context.js';

/** A remote flow's step from its id, title and run. */
export function step<C extends RemoteContext>(id: string, title: string, run: Step<C>['run']): Step<C> {
  return { id, title, run };
}

/**
 * Opens the API's start route and checks its answer: the API knows the provider (no /web/error, no 404), it
 * answers 302 to the profile's authorize path, with the parameters in the profile's order (contract §1.1, §3.1).
 * Returns the hop, where it points and the authorize query's shape for the flow's own checks.
 */
export async function checkStartRedirect(
  ctx: RemoteContext,
  s: StepContext,
  url: string,
): Promise<{ hop: Hop; location: URL | undefined; shape: ReturnType<typeof queryShape> }> {
  const hop = await ctx.browser.get(url);
  const location = ctx.browser.locationOf(hop);
  const errorCode = location?.pathname === '/web/error' ? location.searchParams.get('code') : undefined;
  s.check(
    `the API knows ${ctx.profile.id}`,
    errorCode === undefined && hop.status !== 404,
    'a redirect to the provider',
    errorCode === undefined ? hop.status : `/web/error with code ${errorCode}`,
  );
  s.expectEqual('start answers 302', 302, hop.status);
  s.expectEqual('authorize path', ctx.profile.authorize.path, location?.pathname);
  const shape = queryShape(rawQueryOf(hop.location ?? ''));
  const keys = expectedAuthorizeKeys(ctx.profile).join(',');
  s.check('authorize parameter order', shape.keys.join(',') === keys, keys, shape.keys.join(','));
  return { hop, location, shape };
}

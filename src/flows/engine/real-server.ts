/**
 * The authorize leg at a custom profile's real server: the headless browser follows the server's own
 * redirects, login and consent pages (agent-sim/navigate.ts) until it is sent back to the callback. Those hops
 * are the server's business and are only reported; the contract defines the redirect back, which the flow
 * checks as it checks a mock's (connect: checkRedirectBack; signup: its authorize checks).
 */
import type { Hop } from '../../agent-sim/browser.js';
import { MAX_HOPS, navigateUntil } from '../../agent-sim/navigate.js';
import type { AgentContext } from './context.js';
import type { StepContext } from './runner.js';

// Why a page ends a headless run, and the two ways on.
const NEEDS_A_PERSON =
  'a page for a person: run with --browser to approve in your own browser, or add a "login" block to the profile ' +
  '({"fields": {"username": "SSO_USER", "password": "SSO_PASSWORD"}, "submit": "Sign in"})';

/**
 * Follows `authorizeHop` (the start route's redirect to the server) to the server's redirect back to
 * `redirectUri`, and returns that hop; a page it cannot pass, a refused login or a loop fail the step.
 */
export async function passRealServer(
  ctx: Pick<AgentContext, 'browser' | 'login' | 'profile'>,
  s: StepContext,
  authorizeHop: Hop,
  redirectUri: string | undefined,
): Promise<Hop> {
  const discovered = ctx.profile.server?.discoveredFrom;
  if (discovered !== undefined) s.note(`endpoints discovered from ${discovered}`);
  const end = await navigateUntil(
    ctx.browser,
    authorizeHop,
    (target) => `${target.origin}${target.pathname}` === redirectUri,
    ctx.login,
  );
  const at = `${end.hop.status} at ${end.hop.url}`;
  if (end.kind === 'page') {
    const why = ctx.login === undefined ? NEEDS_A_PERSON : `${end.why}; the "login" block does not describe it`;
    s.check('the server approved without a person', false, 'a redirect back to the callback', `${at}: ${why}`);
  }
  if (end.kind === 'login-refused')
    s.check(
      'the server accepted the login',
      false,
      'a way on past the login form',
      `${at}: the login form again after the browser submitted it (check the values of the "login" variables)`,
    );
  if (end.kind === 'too-many-hops')
    s.check(
      `the browser reached the callback within ${MAX_HOPS} hops`,
      false,
      `a redirect to ${redirectUri ?? 'the callback'}`,
      `a redirect loop: ${end.loop.join(' → ')}`,
    );
  s.check(
    'the server sent the browser back with 302 or 303',
    end.hop.status === 302 || end.hop.status === 303,
    '302 or 303',
    end.hop.status,
  );
  if (end.hops > 1) s.note(`the browser passed ${end.hops - 1} hops of the server's own before the redirect back`);
  return end.hop;
}

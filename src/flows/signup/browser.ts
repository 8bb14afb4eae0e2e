/**
 * "Sign up with X" in the user's own browser (`signup --browser`): the webview's token and the agent's
 * polling are the headless flow's steps; the browser leg is the person's, checked from the lab's journals.
 */
import { expectedStatePrefix } from '../engine/environment.js';
import { decodeState } from '../../state.js';
import { authorizeRequestOf, awaitCallback, openInBrowser, type BrowserLegContext } from '../engine/browser-leg.js';
import { claimsOf, queryShape } from '../engine/checks.js';
import { expectedAuthorizeKeys } from '../connect/steps.js';
import { expectedCallback } from '../connect/start.js';
import { need, type Step, type StepContext } from '../engine/runner.js';
import { signupPollSteps, signupStartUrl, type SignupContext } from './steps.js';

export interface SignupBrowserContext extends SignupContext, BrowserLegContext {
  signal?: AbortSignal;
}

const reuse = (...ids: string[]): Step<SignupBrowserContext>[] => signupPollSteps.filter((s) => ids.includes(s.id));

export const signupRealBrowserSteps: readonly Step<SignupBrowserContext>[] = [
  // The agent polls from before the browser opens, as the webview does (contract §6.2).
  ...reuse('signup-token', 'poll-start'),

  {
    id: 'open-browser',
    title: 'Webview hands the sign-up start URL to the browser',
    async run(ctx, s) {
      ctx.startUrl = signupStartUrl(ctx, need(ctx.signupToken, 'signup token', s));
      await openInBrowser(ctx, s, ctx.startUrl);
      return 'approve or deny on the provider page';
    },
  },

  {
    id: 'wait-callback',
    title: 'Waiting for the browser to come back to the callback',
    async run(ctx, s) {
      const location = await awaitCallback(ctx, s);
      if (location.pathname === '/web/error') {
        // As in the headless flow: the signup record carries the error, and the poll shows what the IDE makes of it.
        ctx.callbackError = location.searchParams.get('code') ?? '';
        s.note(`the callback failed with ${ctx.callbackError}; the signup record carries it`);
        return `302 → /web/error (code ${ctx.callbackError})`;
      }
      return `302 → ${location.pathname}`;
    },
  },

  {
    id: 'callback',
    title: 'API exchanged the code, looked the user up and wrote the signup record',
    async run(ctx, s) {
      checkAuthorizeRequest(ctx, s);
      if (ctx.callbackError !== undefined) return `no exchange: the callback carried ${ctx.callbackError}`;
      const journal = ctx.provider.control.requests.slice(ctx.since?.provider ?? 0);
      const sentCode = new URLSearchParams(ctx.callback?.rawQuery ?? '').get('code') ?? '';
      const exchange = ctx.provider.control.requestCarrying(
        'token',
        ctx.profile.token?.codeParameter ?? 'code',
        sentCode,
      );
      const params = { ...exchange?.query, ...exchange?.body };
      s.check('exchange: code', exchange !== undefined, sentCode, 'no token request carried it');
      s.expectEqual('exchange: redirect_uri identical to authorize', ctx.redirectUri, params.redirect_uri);
      ctx.issuedToken = ctx.provider.control.issuedFrom(sentCode).at(0)?.accessToken;
      ctx.secrets.add(ctx.issuedToken);
      s.check('provider issued a token', ctx.issuedToken !== undefined, 'an access token', 'none');
      const calls = ctx.profile.identity?.calls ?? [];
      const identity = journal.filter((r) => r.endpoint === 'identity');
      s.expectEqual('identity calls made', calls.length, identity.length, identity.map((r) => r.path).join(', '));
      return `identity via ${identity.map((r) => r.path).join(', ')}`;
    },
  },

  ...reuse('poll', 'login-package', 'single-use', 'isolation'),
];

// What the browser sent the provider: the anonymous pauth of the sign-up start route, carrying the token (contract
// §1.4).
function checkAuthorizeRequest(ctx: SignupBrowserContext, s: StepContext): void {
  const shape = queryShape(authorizeRequestOf(ctx, s).rawQuery);
  const keys = expectedAuthorizeKeys(ctx.profile).join(',');
  s.check('authorize parameter order', shape.keys.join(',') === keys, keys, shape.keys.join(','));
  ctx.redirectUri = shape.values.get('redirect_uri');
  const name = ctx.profile.restrictive
    ? 'redirect_uri is publicApiUrl (restrictive)'
    : 'redirect_uri is the auth origin';
  s.expectEqual(name, expectedCallback(ctx), ctx.redirectUri);
  ctx.sentState = shape.values.get('state') ?? '';
  const parts = decodeState(ctx.sentState);
  s.expectEqual('state segment 0: environment', expectedStatePrefix(ctx), parts.env);
  const claims = claimsOf(s, 'state JWT', parts.jwt);
  s.expectEqual('state JWT userId', 'anon', claims.userId);
  s.expectEqual('state JWT st is the signup token', ctx.signupToken, claims.st);
}

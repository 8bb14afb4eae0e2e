/**
 * A sign-up scenario in which the agent sends the provider's token itself, its LSP ProviderTokenRequestType:
 * POST /no-auth/provider-token/<p> {token, signup_token} (contract §1.6). Only GitHub takes it; any other
 * provider answers a JSON 403 PRVD-1011, never a redirect, writes nothing and leaves no signup record, so an
 * IDE polling that token sees AUTH-1006 until it gives up (failure mode 40).
 */
import { loginResultOf } from '../../../agent-sim/login-result.js';
import { need, type Step } from '../../engine/runner.js';
import type { SignupContext } from '../../signup/steps.js';
import type { Expectation } from '../types.js';

type Ctx = SignupContext;
type Refused = Extract<Expectation, { outcome: 'client-token-refused' }>;

/** The POST and its refusal, then the poll that finds no record. */
export function clientTokenSteps(expect: Refused): Step<Ctx>[] {
  let before = '';
  const post: Step<Ctx> = {
    id: expect.from,
    title: `Agent posts the provider token to /no-auth/provider-token/<p>: ${expect.status} ${expect.code}`,
    async run(ctx, s) {
      const signupToken = need(ctx.signupToken, 'signup token', s);
      before = JSON.stringify(ctx.api.control.store.snapshot());
      const answer = await ctx.client.request(
        'POST',
        `/no-auth/provider-token/${ctx.profile.id}`,
        { token: 'a-provider-token-the-ide-holds', signup_token: signupToken },
        ctx.signal,
      );
      s.expectEqual('status', expect.status, answer.status);
      s.expectEqual('code', expect.code, answer.body.code);
      s.expectEqual('store unchanged', before, JSON.stringify(ctx.api.control.store.snapshot()), 'unchanged');
      return `${answer.status} ${String(answer.body.code)} (JSON, no redirect)`;
    },
  };
  const noRecord: Step<Ctx> = {
    id: 'no-signup-record',
    title: 'check-signup finds no record for the signup token: the IDE keeps polling AUTH-1006',
    async run(ctx, s) {
      const answer = await ctx.client.checkSignup(need(ctx.signupToken, 'signup token', s), ctx.signal);
      s.expectEqual('status', 403, answer.status);
      s.expectEqual('code', 'AUTH-1006', answer.body.code);
      s.expectEqual('LoginResult', 'TOKEN_NOT_FOUND', loginResultOf(answer.body).result);
      s.note('the webview polls on until its 300 s give-up, "Login timed out" (contract §6.2, failure mode 40)');
      return 'AUTH-1006 → TOKEN_NOT_FOUND';
    },
  };
  return [post, noRecord];
}

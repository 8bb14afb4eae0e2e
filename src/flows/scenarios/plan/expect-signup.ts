/**
 * Turns a sign-up scenario's expectation into checks: where the browser ends, what check-signup answers,
 * the LoginResult the agent maps it to (contract §6.2 item 3), and what a second check with the token gets.
 */
import { loginResultOf } from '../../../agent-sim/login-result.js';
import { getPath } from '../../../util/dotted.js';
import { need, type Step } from '../../engine/runner.js';
import type { SignupContext } from '../../signup/steps.js';
import { followToWebError } from '../follow.js';
import { clientTokenSteps } from './client-token.js';
import { cutAt, wrongFlow, type CompileExpectation } from './plan.js';
import type { ScenarioRuntime, StepHook } from '../runtime.js';
import type { Expectation } from '../types.js';

type Ctx = SignupContext;

// What the webview does with each result (contract §6.2 item 4), told in the report.
const WEBVIEW_REACTION: Record<string, string> = {
  TOKEN_NOT_FOUND: 'the webview keeps polling until its 300 s give-up',
  TOKEN_EXPIRED: 'the webview makes a new signup token and shows "Login failed"',
  TOKEN_INVALID: 'the webview shows "Login failed"',
  NOT_CONFIRMED: 'the webview asks the user to confirm their email',
  SIGNUP_REQUIRED: 'the webview shows the signup screen',
  UNKNOWN:
    'the real agent maps no result here and the webview takes the answer for a success (contract failure mode 26)',
};

/** The sign-up flow's expectation compiler. */
export const compileSignup: CompileExpectation<Ctx> = (expect, base, actions, rt) => {
  switch (expect.outcome) {
    case 'logged-in':
      return {
        steps: [
          ...base.map((s) =>
            s.id !== 'single-use' ? s : expect.survives ? survivesStep() : expect.reuse ? reuseStep() : s,
          ),
          ...actions,
        ],
        hooks: [
          ...(expect.minPending === undefined ? [] : [minPendingHook(expect.minPending)]),
          ...(expect.retried === undefined ? [] : [retriedHook(expect.retried, rt)]),
          ...(expect.result === undefined ? [] : [resultHook(expect.result)]),
        ],
      };
    case 'client-token-refused':
      return { steps: cutAt(base, expect.from, actions, clientTokenSteps(expect)), hooks: [] };
    case 'login-failed': {
      const browser: Step<Ctx>[] = expect.webError === null ? [] : [browserErrorStep(expect.from, expect.webError, rt)];
      const tail = [...browser, failedPollStep(expect), ...(expect.reuse ? [reuseStep()] : [])];
      return { steps: cutAt(base, expect.from, actions, tail), hooks: [] };
    }
    default:
      return wrongFlow(expect, 'sign-up');
  }
};

function browserErrorStep(from: string, code: string, rt: Parameters<CompileExpectation<Ctx>>[3]): Step<Ctx> {
  return {
    id: from,
    title: `Browser ends on /web/error with code ${code}`,
    async run(ctx, s) {
      // Callback errors carry the state (contract §1.5 step 11); the signup record carries the code.
      const url = await followToWebError(ctx, s, rt, { code, state: true }, () => ctx.startUrl ?? ctx.api.url);
      ctx.callbackError = url.searchParams.get('code') ?? '';
      return `${url.pathname}${url.search}`;
    },
  };
}

function failedPollStep(expect: Extract<Expectation, { outcome: 'login-failed' }>): Step<Ctx> {
  const nested = expect.nested ? ` (${expect.nested})` : '';
  return {
    id: 'poll',
    title: `Agent's check-signup answers ${expect.answer}${nested}: LoginResult ${expect.result}`,
    async run(ctx, s) {
      const outcome = await need(ctx.poll, 'check-signup poll', s);
      ctx.outcome = outcome;
      for (const event of ctx.pollEvents.splice(0)) s.emit(event);
      const answered =
        outcome.kind === 'failed'
          ? outcome.code
          : outcome.kind === 'login'
            ? 'a login package'
            : 'no answer before the give-up';
      s.expectEqual('check-signup answer', expect.answer, answered);
      if (outcome.kind !== 'failed') return;
      if (expect.nested !== undefined) s.expectEqual('nested error (info.error)', expect.nested, outcome.nested);
      s.expectEqual('LoginResult', expect.result, outcome.result);
      if (expect.unmapped !== undefined) {
        s.expectEqual(
          'run flags a nested code the real agent does not map',
          expect.unmapped,
          outcome.nestedUnmapped === true,
        );
      }
      if (expect.switchTo !== undefined) {
        s.expectEqual('extra.code', 'USRC-1032', outcome.extra?.code);
        s.expectEqual('extra.url: the server to switch to', expect.switchTo, outcome.extra?.url);
      }
      const reaction = outcome.extra
        ? `region switch: the webview sends UpdateServerUrl {serverUrl: ${outcome.extra.url}} and signs in there`
        : WEBVIEW_REACTION[outcome.result];
      if (reaction) s.note(reaction);
      const nestedError = outcome.nested ? ` {error: ${outcome.nested}}` : '';
      return `${outcome.code}${nestedError} → ${outcome.result} after ${outcome.stats.calls} calls`;
    },
  };
}

// Contract §1.10: removed under the token as sent (72 characters), the record answers the single token again, once.
function survivesStep(): Step<Ctx> {
  return {
    id: 'single-use',
    title: 'The single token still finds the record once: it was removed under the doubled one',
    async run(ctx, s) {
      const token = need(ctx.signupToken, 'signup token', s);
      const again = await ctx.client.checkSignup(token, ctx.signal);
      s.expectEqual('the 36-character token: status', 200, again.status);
      s.expectEqual(
        '…the same user',
        getPath(ctx.outcome?.kind === 'login' ? ctx.outcome.body : {}, 'user.id'),
        getPath(again.body, 'user.id'),
      );
      const third = await ctx.client.checkSignup(token, ctx.signal);
      s.expectEqual('then: status', 403, third.status);
      s.expectEqual('then: code', 'AUTH-1006', third.body.code);
      return 'the record survived the double paste and answered once more';
    },
  };
}

function reuseStep(): Step<Ctx> {
  return {
    id: 'reuse',
    title: 'The same signup token again: the record is gone (single use)',
    async run(ctx, s) {
      const answer = await ctx.client.checkSignup(ctx.signupToken ?? '', ctx.signal);
      s.expectEqual('status', 403, answer.status);
      s.expectEqual('code', 'AUTH-1006', answer.body.code);
      s.expectEqual('LoginResult', 'TOKEN_NOT_FOUND', loginResultOf(answer.body).result);
      s.note(
        'an agent that retried with this token would poll AUTH-1006 until its 300 s give-up (contract failure mode 22)',
      );
      return 'AUTH-1006 → TOKEN_NOT_FOUND';
    },
  };
}

// Each retried attempt and the wait before the next one, on the poller's clock (contract FM 28: 250 ms × attempt).
function retriedHook(seen: string[], rt: ScenarioRuntime): StepHook<Ctx> {
  return {
    step: 'poll',
    when: 'after',
    run(ctx, s) {
      const attempts = ctx.pollAttempts ?? [];
      const retried = attempts.filter((a) => a.outcome === 'retry' || a.outcome === 'tick-failed');
      const saw = retried.map((a) =>
        a.status !== undefined
          ? String(a.status)
          : /no answer within/.test(a.error ?? '')
            ? 'timeout'
            : (a.error ?? 'error'),
      );
      s.expectEqual('attempts the agent retried', seen.join(', '), saw.join(', '));
      const backoffs = attempts.filter((a) => a.backoffMs !== undefined).map((a) => a.backoffMs);
      const expected = seen.map((_, i) => 250 * (i + 1));
      s.expectEqual('backoff before each retry (ms, 250 × attempt)', expected.join(', '), backoffs.join(', '));
      const waited = rt.poll?.waits ?? [];
      s.check(
        'the poller waited each backoff on its injected clock',
        expected.every((ms) => waited.includes(ms)),
        expected.join(', '),
        waited.join(', '),
      );
      s.expectEqual('no tick failed: the retries were enough', 0, ctx.outcome?.stats.failedTicks);
    },
  };
}

// Contract §6.2 item 4: a package without a company or a team is USER_NOT_IN_COMPANY, with the CS token.
function resultHook(result: string): StepHook<Ctx> {
  return {
    step: 'login-package',
    when: 'after',
    run(ctx, s) {
      const outcome = ctx.outcome;
      s.expectEqual('LoginResult', result, outcome?.kind === 'login' ? outcome.result : outcome?.kind);
      if (result === 'USER_NOT_IN_COMPANY')
        s.note('the webview opens "Company creation", signed in with the package\'s CS token');
    },
  };
}

function minPendingHook(n: number): StepHook<Ctx> {
  return {
    step: 'poll',
    when: 'after',
    run(ctx, s) {
      const pending = ctx.outcome?.stats.pending ?? 0;
      s.check(
        `agent kept polling through ≥ ${n} pending answers`,
        pending >= n,
        `≥ ${n}`,
        pending,
        `${pending} pending`,
      );
    },
  };
}

/**
 * The agent's half of sign-up (contract §5, §6.2): polling check-signup from before the browser opens, the
 * login package it ends with, and the single use of the signup token.
 */
import { ApiClient } from '../../agent-sim/api-client.js';
import { environmentOf } from '../engine/environment.js';
import { pollCheckSignup, type PollAttempt } from '../../agent-sim/poller.js';
import { AppError } from '../../errors.js';
import type { FlowEvent } from '../../events.js';
import { getPath } from '../../util/dotted.js';
import { isJsonObject } from '../../util/json.js';
import { providerIdentity } from '../connect/expect.js';
import { need, type Step } from '../engine/runner.js';
import type { SignupContext } from './steps.js';

const step = (id: string, title: string, run: Step<SignupContext>['run']): Step<SignupContext> => ({ id, title, run });

export const pollStartStep = step('poll-start', 'Agent starts polling PUT /no-auth/check-signup', async (ctx, s) => {
  const token = need(ctx.signupToken, 'signup token', s);
  let inFlight = 0;
  ctx.maxInFlight = 0;
  ctx.pollStartedAt = ctx.clock.now();
  const attempts: PollAttempt[] = [];
  ctx.pollAttempts = attempts;
  const onAttempt = (a: PollAttempt): void => {
    attempts.push(a);
    ctx.pollEvents.push(attemptNote(ctx, a));
  };
  const signal = ctx.signal ? AbortSignal.any([ctx.signal, ctx.pollAbort.signal]) : ctx.pollAbort.signal;
  ctx.poll = pollCheckSignup(
    async (callSignal) => {
      inFlight += 1;
      ctx.maxInFlight = Math.max(ctx.maxInFlight ?? 0, inFlight);
      try {
        return await ctx.pollClient.checkSignup(token, callSignal);
      } finally {
        inFlight -= 1;
      }
    },
    { clock: ctx.clock, intervalMs: ctx.intervalMs, timeoutMs: ctx.timeoutMs, signal, onAttempt },
  );
  // The step that awaits it reports failures; an unobserved rejection must not crash the process meanwhile.
  ctx.poll.catch(() => undefined);
  return `every ${ctx.intervalMs} ms, giving up after ${ctx.timeoutMs / 1000} s`;
});

export const pollStep = step('poll', 'Agent polls check-signup until the login package', async (ctx, s) => {
  const outcome = await need(ctx.poll, 'check-signup poll', s);
  ctx.outcome = outcome;
  for (const event of ctx.pollEvents.splice(0)) s.emit(event);
  s.expectEqual('check-signup calls never overlap', 1, ctx.maxInFlight);
  // Polling began before the browser opened the start URL, so the first answers cannot be anything but pending.
  s.check(
    'polls answered AUTH-1006 while the browser leg ran',
    outcome.stats.pending >= 1,
    'at least 1 pending poll',
    outcome.stats.pending,
    `${outcome.stats.pending} pending`,
  );
  if (outcome.kind === 'timed-out') {
    throw new AppError(
      'POLL_TIMEOUT',
      `login timed out after ${outcome.stats.ms} ms with ${outcome.stats.pending} pending polls`,
      {
        hint: 'Raise --timeout, or look at the callback step: no signup record was written for this token.',
        detail: { stats: outcome.stats },
      },
    );
  }
  if (outcome.kind === 'failed') {
    const nested = outcome.nested === undefined ? '' : ` with nested error "${outcome.nested}"`;
    throw new AppError(
      'LOGIN_FAILED',
      `check-signup answered "${outcome.code}"${nested}: LoginResult "${outcome.result}"`,
      {
        ...(outcome.nestedUnmapped
          ? {
              hint: 'The real agent maps this nested code to no LoginResult at all, and the webview then treats the answer as a success (contract failure mode 26).',
            }
          : {}),
        ...(outcome.extra === undefined
          ? {}
          : {
              hint: `The account lives in another region: the webview switches its server URL to "${outcome.extra.url}" and signs in there (contract §6.2 item 4, failure mode 25).`,
            }),
        detail: { status: outcome.status, body: outcome.body, result: outcome.result, stats: outcome.stats },
      },
    );
  }
  return `${outcome.result} after ${outcome.stats.calls} calls (${outcome.stats.pending} pending)`;
});

export const packageStep = step(
  'login-package',
  'Login package holds the token the provider issued',
  async (ctx, s) => {
    const body = ctx.outcome?.kind === 'login' ? ctx.outcome.body : {};
    const user = isJsonObject(body.user) ? body.user : {};
    // The login package of this flow's signup token names its user (the record may be gone: it is single use).
    if (typeof user.id === 'string') ctx.userId ??= user.id;
    ctx.secrets.add(typeof body.accessToken === 'string' ? body.accessToken : undefined);
    ctx.secrets.add(typeof body.broadcasterToken === 'string' ? body.broadcasterToken : undefined);
    const info = isJsonObject(user.providerInfo) ? user.providerInfo[ctx.profile.id] : undefined;
    const accessToken = getPath(info, 'accessToken');
    ctx.deliveredToken = typeof accessToken === 'string' ? accessToken : undefined;
    s.expectEqual(
      `me-object providerInfo.${ctx.profile.id}.accessToken equals the issued token`,
      ctx.issuedToken,
      ctx.deliveredToken,
    );
    const identities: unknown[] = Array.isArray(user.providerIdentities) ? user.providerIdentities : [];
    const identity = providerIdentity(ctx.profile.id, getPath(info, 'userId'));
    s.check(
      'providerIdentities holds the provider identity',
      identities.includes(identity),
      identity,
      identities,
      identity,
    );
    s.check(
      'CS access token present',
      typeof body.accessToken === 'string' && body.accessToken !== '',
      'a token',
      body.accessToken ?? 'none',
    );
    s.check(
      'broadcaster token present',
      typeof body.broadcasterToken === 'string' && body.broadcasterToken !== '',
      'a token',
      body.broadcasterToken ?? 'none',
    );
    s.expectEqual('provider', ctx.profile.id, body.provider);
    s.check(
      'signupStatus',
      body.signupStatus === 'userCreated' || body.signupStatus === 'signedIn',
      'userCreated or signedIn',
      body.signupStatus,
      String(body.signupStatus),
    );
    s.expectEqual('runtimeEnvironment', environmentOf(ctx)?.shortName, body.runtimeEnvironment);
    // check_signup/token_is_valid_test.js: the CS access token of the package works for GET /users/me, same user.
    if (typeof body.accessToken === 'string' && body.accessToken !== '') {
      const agent = new ApiClient({
        baseUrl: ctx.api.url,
        accessToken: body.accessToken,
        fetch: ctx.fetch,
        now: ctx.now,
        onEvent: ctx.onEvent,
      });
      const me = await agent.request('GET', '/users/me', undefined, ctx.signal);
      s.expectEqual('GET /users/me with the package access token answers 200', 200, me.status);
      s.expectEqual('…the same user as the package', user.id, getPath(me.body, 'user.id'));
    }
    return `${String(body.signupStatus)}, LoginResult ${ctx.outcome?.kind === 'login' ? ctx.outcome.result : ''}`;
  },
);

export const singleUseStep = step(
  'single-use',
  'A second check-signup with the same token answers AUTH-1006',
  async (ctx, s) => {
    const answer = await ctx.client.checkSignup(need(ctx.signupToken, 'signup token', s), ctx.signal);
    s.expectEqual('status', 403, answer.status);
    s.expectEqual('code', 'AUTH-1006', answer.body.code);
    return 'the record was deleted after its first answer';
  },
);

function attemptNote(ctx: SignupContext, a: PollAttempt): FlowEvent {
  const at = `+${a.at - (ctx.pollStartedAt ?? a.at)} ms`;
  const answer =
    a.status === undefined ? (a.error ?? 'no answer') : `${a.status}${a.code === undefined ? '' : ` ${a.code}`}`;
  const meaning = { pending: 'pending', answered: 'answered', retry: 'will retry', 'tick-failed': 'tick failed' }[
    a.outcome
  ];
  const attempt = a.attempt === 0 ? '' : ` retry ${a.attempt} after ${a.backoffMs ?? 0} ms`;
  return { type: 'note', step: 'poll', text: `poll ${a.tick}${attempt} (${at}): ${answer} — ${meaning}` };
}

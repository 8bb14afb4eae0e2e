import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

const stepsOf = (events: FlowEvent[], type: 'step-succeeded' | 'step-failed') =>
  events.filter((e) => e.type === type).map((e) => (e as { step: string }).step);

describe('sign-up flow on real sockets', () => {
  it.each(['github', 'gitlab', 'bitbucket', 'okta'])(
    'signs up with %s: pending polls, then the login package with the issued token',
    async (provider) => {
      const deps = await flowDeps();
      const { outcome, context } = await runSignup({ provider, poll: true, intervalMs: 20, timeoutMs: 5000 }, deps);
      expect(outcome).toMatchObject({ ok: true });
      expect(stepsOf(deps.events, 'step-succeeded')).toEqual([
        'signup-token',
        'poll-start',
        'start',
        'authorize',
        'route',
        'callback',
        'result-page',
        'poll',
        'login-package',
        'single-use',
        'isolation',
      ]);
      expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(context.deliveredToken).toBeDefined();
      expect(context.deliveredToken).toBe(context.issuedToken);
      expect(context.outcome).toMatchObject({
        kind: 'login',
        result: 'USER_NOT_IN_COMPANY',
        body: { signupStatus: 'userCreated', provider },
      });
      expect(context.outcome?.stats.pending).toBeGreaterThanOrEqual(1);
      // The poller's calls are reported inside the poll step, one note per call.
      const pollNotes = deps.events.filter((e) => e.type === 'note' && e.step === 'poll');
      expect(pollNotes).toHaveLength(context.outcome?.stats.calls ?? -1);
      expect(deps.events.at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: true,
        result: { tokenDelivered: true, loginResult: 'USER_NOT_IN_COMPANY' },
      });
    },
  );

  it.each(['github', 'gitlab', 'bitbucket', 'okta'])(
    "signs up with %s through a reverse-proxying router: the router relays the environment's answer",
    async (provider) => {
      const deps = await flowDeps();
      const { outcome, context } = await runSignup(
        { provider, poll: true, intervalMs: 20, timeoutMs: 5000, routerMode: 'proxy' },
        deps,
      );
      expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(outcome).toMatchObject({ ok: true });
      expect(context.lab.router.hits.at(-1)).toMatchObject({ env: 'local', routedTo: context.api.url });
      // The browser never saw the environment's callback URL: the router answered in its place.
      expect(context.browser.hops.some((h) => h.url.startsWith(`${context.api.url}/no-auth/provider-token/`))).toBe(
        false,
      );
      expect(context.deliveredToken).toBe(context.issuedToken);
    },
  );

  it('puts Okta on its hostUrl: the start URL, the authorize redirect and the identity call', async () => {
    const deps = await flowDeps();
    const { context } = await runSignup({ provider: 'okta', poll: true, intervalMs: 20, timeoutMs: 5000 }, deps);
    expect(context.hostUrl).toBe(context.provider.url);
    expect(new URL(context.startUrl ?? '').searchParams.get('hostUrl')).toBe(context.provider.url);
    expect(
      context.outcome?.kind === 'login' &&
        (context.outcome.body.user as { providerInfo: { okta: { hostUrl: string } } }).providerInfo.okta.hostUrl,
    ).toBe(context.provider.url);
  });

  it('signs in an existing user with noSignup: SUCCESS with the teams of the account', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runSignup(
      {
        provider: 'github',
        poll: true,
        noSignup: true,
        identity: { email: 'dana@acme.example' },
        intervalMs: 20,
        timeoutMs: 5000,
      },
      deps,
    );
    expect(outcome.ok).toBe(true);
    expect(context.outcome).toMatchObject({
      kind: 'login',
      result: 'SUCCESS',
      body: { signupStatus: 'signedIn', accessToken: 'cs-token-dana' },
    });
  });

  it('fails at the poll step with SIGNUP_REQUIRED when noSignup finds no account', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runSignup(
      { provider: 'github', poll: true, noSignup: true, intervalMs: 20, timeoutMs: 5000 },
      deps,
    );
    expect(outcome).toMatchObject({ ok: false, failedStep: 'poll', error: { code: 'LOGIN_FAILED' } });
    expect(outcome.error?.message).toBe(
      'check-signup answered "USRC-1022" with nested error "PRVD-1005": LoginResult "SIGNUP_REQUIRED"',
    );
    expect(context.callbackError).toBe('PRVD-1005');
  });

  it('follows a denied consent to /web/error and fails naming access_denied and the LoginResult', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runSignup(
      { provider: 'gitlab', poll: true, deny: true, intervalMs: 20, timeoutMs: 5000 },
      deps,
    );
    expect(stepsOf(deps.events, 'step-succeeded')).toEqual([
      'signup-token',
      'poll-start',
      'start',
      'authorize',
      'route',
      'callback',
      'result-page',
    ]);
    expect(outcome).toMatchObject({ ok: false, failedStep: 'poll', error: { code: 'LOGIN_FAILED' } });
    expect(outcome.error?.message).toContain('"access_denied"');
    expect(outcome.error?.message).toContain('LoginResult "UNKNOWN"');
    expect(outcome.error?.hint).toContain('failure mode 26');
    expect(context.provider.control.issued).toHaveLength(0);
  });

  it('without polling runs the browser leg and leaves the record for one check-signup by hand', async () => {
    const lab = await startTestLab();
    try {
      const deps = await flowDeps();
      const { outcome, checkSignup, context } = await runSignup({ provider: 'github', poll: false }, deps, lab);
      expect(outcome.ok).toBe(true);
      expect(stepsOf(deps.events, 'step-succeeded')).toEqual([
        'signup-token',
        'start',
        'authorize',
        'route',
        'callback',
        'result-page',
        'isolation',
      ]);
      expect(checkSignup).toMatchObject({
        method: 'PUT',
        url: `${lab.envs.get('local')!.url}/no-auth/check-signup`,
        body: { token: context.signupToken },
      });
      expect(checkSignup.curl).toBe(
        `curl -sS -X PUT '${checkSignup.url}' -H 'content-type: application/json' -d '{"token":"${context.signupToken}"}'`,
      );
      const res = await fetch(checkSignup.url, {
        method: checkSignup.method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(checkSignup.body),
      });
      expect(res.status).toBe(200);
    } finally {
      await lab.close();
    }
  });

  it('stops the poller when the flow fails before polling is awaited', async () => {
    const lab = await startTestLab({ providers: ['okta'] });
    try {
      const deps = await flowDeps();
      // An Okta start without a hostUrl is refused (PRVD-1008), so the flow ends at the start step.
      const { outcome, context } = await runSignup(
        { provider: 'okta', poll: true, hostUrl: '', intervalMs: 20, timeoutMs: 5000 },
        deps,
        lab,
      );
      expect(outcome).toMatchObject({ ok: false, failedStep: 'start' });
      expect(deps.events.find((e) => e.type === 'check-failed')).toMatchObject({
        check: 'start is not sent to /web/error',
        actual: '"/web/error with code PRVD-1008"',
      });
      expect(context.pollAbort.signal.aborted).toBe(true);
      await expect(context.poll).rejects.toMatchObject({ code: 'FLOW_ABORTED' });
    } finally {
      await lab.close();
    }
  });
});

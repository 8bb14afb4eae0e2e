import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { FlowEvent } from '../../../src/events.js';
import { runSignupBrowser } from '../../../src/flows/signup/run-browser.js';
import { createFakeDeps } from '../../helpers/fake-deps.js';
import { flowDeps } from '../../helpers/lab.js';
import { visitAndDecide, type Visit } from '../../helpers/scripted-browser.js';

/** An opener that hands the URL to a scripted person; `visit` settles once they reached the last page. */
function person(decision: 'approve' | 'deny'): { openUrl: (url: string) => Promise<void>; visit: Promise<Visit> } {
  let done!: (v: Promise<Visit>) => void;
  const visit = new Promise<Visit>((resolve) => (done = resolve));
  return { visit, openUrl: async (url) => done(visitAndDecide(url, decision)) };
}

const stepIds = (events: FlowEvent[], type: FlowEvent['type']): string[] =>
  events.filter((e) => e.type === type).map((e) => (e as { step: string }).step);

describe('signup in a real browser (scripted person, real sockets)', () => {
  it('polls from before the browser opens and gets the login package after Approve', async () => {
    const deps = await flowDeps();
    const p = person('approve');
    const { outcome, context } = await runSignupBrowser(
      { provider: 'github', intervalMs: 20, timeoutMs: 5000 },
      { ...deps, openUrl: p.openUrl },
    );
    expect(outcome).toMatchObject({ ok: true });
    expect(context.deliveredToken).toBe(context.issuedToken);
    expect(stepIds(deps.events, 'step-succeeded').slice(0, 8)).toEqual([
      'signup-token',
      'poll-start',
      'open-browser',
      'wait-callback',
      'callback',
      'poll',
      'login-package',
      'single-use',
    ]);
    const started = new URL((await p.visit).hops[0]?.url ?? '');
    expect(started.pathname).toBe('/web/provider-auth/github');
    expect(started.searchParams.get('signupToken')).toBe(context.signupToken);
    expect((await p.visit).final.body).toContain('<title>Successful Auth</title>');
  });

  it('fails the poll with access_denied after Deny, as the IDE would see it', async () => {
    const deps = await flowDeps();
    const p = person('deny');
    const { outcome, context } = await runSignupBrowser(
      { provider: 'github', intervalMs: 20, timeoutMs: 5000 },
      { ...deps, openUrl: p.openUrl },
    );
    expect(outcome).toMatchObject({ ok: false, failedStep: 'poll' });
    expect(outcome.error?.code).toBe('LOGIN_FAILED');
    expect(context.callbackError).toBe('access_denied');
    expect((await p.visit).final.body).toContain('(error: <b>access_denied</b>)');
  });
});

describe('signup --browser through main', () => {
  it('exits 0 after Approve and 1 after Deny', async () => {
    for (const [decision, code] of [
      ['approve', 0],
      ['deny', 1],
    ] as const) {
      const fake = createFakeDeps();
      const exitCode = await main(['signup', 'github', '--browser', '--interval', '20', '--json'], {
        ...fake.deps,
        openUrl: person(decision).openUrl,
      });
      expect(exitCode).toBe(code);
      const last = JSON.parse(fake.stdout().trim().split('\n').at(-1) ?? '{}') as FlowEvent;
      expect(last).toMatchObject({
        type: 'flow-finished',
        ok: code === 0,
        result: { browser: 'real', tokenDelivered: code === 0 },
      });
    }
  });

  it('refuses --deny with --browser (the person clicks Deny) with exit 2', async () => {
    const fake = createFakeDeps();
    expect(await main(['signup', 'github', '--browser', '--deny'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('--deny');
  });
});

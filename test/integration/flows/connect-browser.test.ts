import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { runConnectBrowser } from '../../../src/flows/connect/run-browser.js';
import type { FlowEvent } from '../../../src/events.js';
import { createFakeDeps } from '../../helpers/fake-deps.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';
import { visitAndDecide, type Visit } from '../../helpers/scripted-browser.js';
import { refuses } from '../../helpers/net.js';

/** An opener that hands the URL to a scripted person; `visit` settles once they reached the last page. */
function scriptedOpener(decision: 'approve' | 'deny'): {
  openUrl: (url: string) => Promise<void>;
  visit: Promise<Visit>;
  opened: string[];
} {
  const opened: string[] = [];
  let done!: (v: Promise<Visit>) => void;
  const visit = new Promise<Visit>((resolve) => (done = resolve));
  return {
    opened,
    visit,
    openUrl: async (url) => {
      opened.push(url);
      done(visitAndDecide(url, decision)); // not awaited: a browser opens, then the user takes their time
    },
  };
}

const ndjson = (text: string): FlowEvent[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as FlowEvent);

describe('connect in a real browser (scripted person, real sockets)', () => {
  it('delivers the token after Approve, checking the hops from the journals', async () => {
    const deps = await flowDeps();
    const person = scriptedOpener('approve');
    const { outcome, context } = await runConnectBrowser({ provider: 'github' }, { ...deps, openUrl: person.openUrl });
    expect(outcome).toMatchObject({ ok: true });
    expect(context.deliveredToken).toBe(context.issuedToken);
    const steps = deps.events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);
    // Then "isolation" where the connect flow ends with it: other environments saw nothing.
    expect(steps.slice(0, 7)).toEqual([
      'login',
      'auth-code',
      'subscribe',
      'open-browser',
      'wait-callback',
      'callback',
      'broadcast',
    ]);
    const checks = deps.events.filter((e) => e.type === 'check-passed').map((e) => (e as { check: string }).check);
    expect(checks).toEqual(
      expect.arrayContaining([
        'consent answered 302 or 303, never 307',
        'authorize parameter order',
        'success redirect',
        'success page answers 200',
      ]),
    );
    expect(checks.filter((c) => c.startsWith('exchange: code'))).toHaveLength(1); // the headless flow's exchange checks ran too
    expect(person.opened).toEqual([
      expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?code=eyJ/),
    ]);
    const visit = await person.visit;
    expect(visit.final).toMatchObject({ status: 200, body: expect.stringContaining('<title>Successful Auth</title>') });
    // RFC 9700 §4.12: the consent POST was answered with 303.
    expect(visit.hops.find((h) => h.method === 'POST')).toMatchObject({ status: 303 });
  });

  it('fails at wait-callback with access_denied after Deny', async () => {
    const deps = await flowDeps();
    const person = scriptedOpener('deny');
    const { outcome } = await runConnectBrowser({ provider: 'github' }, { ...deps, openUrl: person.openUrl });
    expect(outcome).toMatchObject({ ok: false, failedStep: 'wait-callback' });
    expect(deps.events).toContainEqual(
      expect.objectContaining({
        type: 'check-failed',
        check: 'callback is not sent to /web/error',
        actual: '"/web/error with code access_denied"',
      }),
    );
    const visit = await person.visit;
    expect(visit.final.body).toContain('<title>Authentication failed</title>');
    expect(visit.final.body).toContain('with GitHub (error: <b>access_denied</b>)');
  });

  it('times out with CALLBACK_TIMEOUT when nobody answers the consent page', async () => {
    const deps = await flowDeps();
    const { outcome } = await runConnectBrowser(
      { provider: 'github', callbackTimeoutMs: 50 },
      { ...deps, openUrl: async () => undefined },
    );
    expect(outcome).toMatchObject({ ok: false, failedStep: 'wait-callback' });
    expect(outcome.error?.code).toBe('CALLBACK_TIMEOUT');
  });

  it('ignores callbacks from earlier runs on a shared lab', async () => {
    const lab = await startTestLab();
    try {
      const first = scriptedOpener('deny');
      await runConnectBrowser({ provider: 'github' }, { ...(await flowDeps()), openUrl: first.openUrl }, lab);
      const second = scriptedOpener('approve');
      const { outcome } = await runConnectBrowser(
        { provider: 'github' },
        { ...(await flowDeps()), openUrl: second.openUrl },
        lab,
      );
      expect(outcome).toMatchObject({ ok: true });
    } finally {
      await lab.close();
    }
  });
});

describe('connect --browser through main', () => {
  it('exits 0 with the token delivered, and 1 after Deny', async () => {
    for (const [decision, code] of [
      ['approve', 0],
      ['deny', 1],
    ] as const) {
      const fake = createFakeDeps();
      const exitCode = await main(['connect', 'github', '--browser', '--json'], {
        ...fake.deps,
        openUrl: scriptedOpener(decision).openUrl,
      });
      expect(exitCode).toBe(code);
      expect(ndjson(fake.stdout()).at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: code === 0,
        ...(code === 0 ? { result: { tokenDelivered: true } } : {}),
      });
    }
  });

  it('exits 130 on Ctrl-C while waiting, with every server closed', async () => {
    const controller = new AbortController();
    const origins: string[] = [];
    const fake = createFakeDeps({ signal: controller.signal });
    const openUrl = async (url: string): Promise<void> => {
      // Learn the API, provider and router origins from the first hop, as a browser would, then press Ctrl-C.
      const start = await fetch(url, { redirect: 'manual' });
      const authorize = new URL(start.headers.get('location') ?? '');
      origins.push(
        new URL(url).origin,
        authorize.origin,
        new URL(authorize.searchParams.get('redirect_uri') ?? '').origin,
      );
      controller.abort();
    };
    expect(await main(['connect', 'github', '--browser'], { ...fake.deps, openUrl })).toBe(130);
    expect(origins).toHaveLength(3);
    expect(await Promise.all(origins.map(refuses))).toEqual([true, true, true]);
    expect(fake.stderr()).toMatch(/error: .*interrupted.*\[FLOW_ABORTED\]/);
  });

  it('rejects a --timeout that is not a positive number with exit 2', async () => {
    const fake = createFakeDeps();
    expect(await main(['connect', 'github', '--browser', '--timeout', 'soon'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('--timeout must be a positive number of seconds, not "soon"');
  });
});

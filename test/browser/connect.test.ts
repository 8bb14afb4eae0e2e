/**
 * `connect --browser` and `signup --browser` end to end in Debian's chromium, driven by playwright-core: a
 * person clicks Approve or Deny on the consent page and the CLI's exit code follows. Every profile of
 * fixtures/providers takes part; what each run must show is read from the profile (delivery mode,
 * restrictive, OAuth 1.0a, enterprise), never from its id.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { registeredHost } from '../../src/flows/connect/expect.js';
import type { ProviderProfile } from '../../src/profiles/profile.js';
import { toText } from '../../src/util/to-text.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';

const CHROMIUM = '/usr/bin/chromium';
// Skipped only on a developer machine without chromium; in CI a missing chromium fails the launch below.
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip)
  console.warn(
    `skipping the browser tests: ${CHROMIUM} is missing (apt-get install chromium); in CI they fail instead`,
  );

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { profiles, config } = await labData();
const all = [...profiles.values()];
const kindOf = (p: ProviderProfile): string => (p.oauth1 !== undefined ? 'oauth1' : p.delivery.mode);
const fragmentProvider = all.find((p) => p.delivery.mode === 'fragment');
const oauth1Provider = all.find((p) => p.oauth1 !== undefined);

interface Run {
  exitCode: number;
  events: FlowEvent[];
  /** Every URL the browser requested, in order. */
  requested: string[];
  /** Status of every POST the browser made (the consent form). */
  posts: number[];
  stderr: string;
}

const checksPassed = (run: Run) =>
  run.events.filter((e) => e.type === 'check-passed').map((e) => (e as { check: string }).check);
const notes = (run: Run) => run.events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);
const failures = (run: Run) => run.events.filter((e) => e.type === 'check-failed' || e.type === 'step-failed');
// After Approve the person stays until the landing page has loaded, so no navigation is still under way
// when the next run (same page) starts; a run that never lands fails on its own assertions instead.
const LANDING = /\/(auth-complete|web\/provider-connected|web\/error)\b/;
const press =
  (name: 'Approve' | 'Deny') =>
  async (page: Page): Promise<void> => {
    const click = page.getByRole('button', { name }).click();
    if (name === 'Deny') return click;
    await Promise.all([page.waitForURL(LANDING, { waitUntil: 'load', timeout: 5000 }).catch(() => undefined), click]);
  };

describe.skipIf(skip)('--browser in chromium', () => {
  let browser: Browser;
  // note: one page, navigated from run to run: closing a page whose lab is already gone stalled for tens
  // of seconds in this chromium, and a fresh context per run costs more than the run itself.
  let page: Page;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await (await browser.newContext()).newPage();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Runs the command with `--browser --json`; the opener loads the start URL, then the person acts on the page. */
  async function runIn(argv: string[], act: (page: Page) => Promise<unknown>): Promise<Run> {
    const requested: string[] = [];
    const posted: Request[] = [];
    const onRequest = (r: Request): void => {
      requested.push(r.url());
      if (r.method() === 'POST') posted.push(r);
    };
    page.on('request', onRequest);
    // A person who cannot act (a missing button) interrupts the run instead of leaving it to wait for minutes.
    const controller = new AbortController();
    let failure: Error | undefined;
    let acted: Promise<void> = Promise.resolve();
    const fake = createFakeDeps({ signal: controller.signal });
    const openUrl = async (url: string): Promise<void> => {
      await page.goto(url);
      // Not awaited: the person decides after the CLI has moved on to waiting.
      acted = act(page).then(
        () => undefined,
        (err: unknown) => {
          failure = err instanceof Error ? err : new Error(toText(err));
          controller.abort();
        },
      );
    };
    try {
      const exitCode = await main([...argv, '--browser', '--json'], { ...fake.deps, openUrl });
      await acted;
      if (failure !== undefined) throw failure;
      const events = fake
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as FlowEvent);
      // Asked of each request rather than from 'response' events, which may arrive after the run returned.
      const posts = await Promise.all(posted.map(async (r) => (await r.response())?.status() ?? 0));
      return { exitCode, events, requested, posts, stderr: fake.stderr() };
    } finally {
      page.off('request', onRequest);
    }
  }

  describe('the consent and result pages', () => {
    it('shows the consent page, and after Approve the success page; the CLI exits 0 with the token delivered', async () => {
      let consent = { title: '', text: '' };
      let success = { title: '', text: '', referrerPolicy: '' };
      const run = await runIn(['connect', 'github'], async (page) => {
        consent = { title: await page.title(), text: await page.locator('main').innerText() };
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.url().includes('/auth-complete/')),
          press('Approve')(page),
        ]);
        await page.waitForLoadState();
        success = {
          title: await page.title(),
          text: await page.locator('main').innerText(),
          referrerPolicy: (await response.allHeaders())['referrer-policy'] ?? '',
        };
      });
      expect(consent.title).toBe('Authorize CodeStream to use your GitHub account');
      expect(consent.text).toContain('cs-github-client');
      expect(consent.text).toContain('read:user');
      expect(consent.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/no-auth\/provider-token\/github/);
      expect(success).toEqual({
        title: 'Successful Auth',
        text: expect.stringContaining('You are now connected to GitHub'),
        referrerPolicy: 'no-referrer',
      });
      expect(run.exitCode).toBe(0);
      expect(run.events.at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: true,
        result: { browser: 'real', tokenDelivered: true },
      });
    });

    it('shows the error page with access_denied after Deny (pressed from the keyboard); the CLI exits 1', async () => {
      let error = { title: '', text: '' };
      const run = await runIn(['connect', 'github'], async (page) => {
        await page.keyboard.press('Tab'); // Approve
        await page.keyboard.press('Tab'); // Deny
        await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Deny');
        await Promise.all([page.waitForURL(/\/web\/error\?/), page.keyboard.press('Enter')]);
        error = { title: await page.title(), text: await page.locator('main').innerText() };
      });
      expect(error.title).toBe('Authentication failed');
      expect(error.text).toContain('We could not authenticate you with GitHub (error: access_denied).');
      expect(run.exitCode).toBe(1);
      expect(run.events).toContainEqual(
        expect.objectContaining({
          type: 'check-failed',
          check: 'callback is not sent to /web/error',
          actual: '"/web/error with code access_denied"',
        }),
      );
      expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: false, failedStep: 'wait-callback' });
    });
  });

  describe.each(all.map((p) => ({ id: p.id, kind: kindOf(p), profile: p })))('connect $id ($kind)', ({ profile }) => {
    it('delivers the token after Approve on the consent page and exits 0, every check passing', async () => {
      const run = await runIn(['connect', profile.id], press('Approve'));
      expect(failures(run)).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.events.at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: true,
        result: { browser: 'real', tokenDelivered: true },
      });
      // RFC 9700 §4.12: the consent form was answered 303, never 307, whatever the authorize endpoint.
      expect(run.posts).toEqual([303]);
      const passed = checksPassed(run);
      expect(passed).toEqual(
        expect.arrayContaining([
          'consent answered 302 or 303, never 307',
          'authorize parameter order',
          'state segment 1: the very pauth issued',
          'callbacks through the router',
          'success redirect',
        ]),
      );
      // Everything the browser loaded was a lab server: nothing from outside (RFC 9700 §4.2).
      expect(run.requested.filter((u) => !u.startsWith('http://127.0.0.1:'))).toEqual([]);
      const callbacks = run.requested
        .filter((u) => new URL(u).pathname === `/no-auth/provider-token/${profile.id}`)
        .map((u) => new URL(u));
      if (profile.delivery.mode === 'fragment') {
        // Contract §1.5 step 3: the first callback never saw the token; the page's script sent it on in the query.
        expect(callbacks.length).toBeGreaterThanOrEqual(2);
        expect(callbacks[0]?.searchParams.has(profile.delivery.tokenField)).toBe(false);
        expect(callbacks.at(-1)?.searchParams.get('token')).toEqual(expect.any(String));
        expect(passed).toContain('script puts the fragment token in the query');
      } else {
        expect(passed).toContain(
          profile.restrictive ? 'callback query is what the provider sent' : 'router passed the query unchanged',
        );
      }
      if (profile.oauth1 !== undefined) {
        expect(run.requested.some((u) => u.includes(`${profile.authorize.path}?oauth_token=`))).toBe(true);
        expect(passed).toContain('oauth_token and oauth_verifier present');
      }
      // Contract §7: a restrictive provider's answer goes to publicApiUrl, and the run says so.
      expect(notes(run).some((n) => n.startsWith("no router hop for the provider's answer"))).toBe(profile.restrictive);
      expect(notes(run).some((n) => n.startsWith('stored under hosts.'))).toBe(profile.enterprise);
    });
  });

  describe.each(all.filter((p) => p.supportsSignup && p.identity !== undefined))('signup $id', (profile) => {
    it('signs up after Approve and exits 0 with the token in the login package', async () => {
      const run = await runIn(['signup', profile.id, '--interval', '20'], press('Approve'));
      expect(failures(run)).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.posts).toEqual([303]);
      expect(run.events.at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: true,
        result: { browser: 'real', tokenDelivered: true },
      });
    });
  });

  describe('--host', () => {
    it.each(
      all
        .filter((p) => p.enterprise)
        .map((p) => ({ id: p.id, host: registeredHost(config, config.defaultTeam, p.id) ?? '' })),
    )(
      '$id with --host as the user typed it (upper case) connects and stores under the lowercased host',
      async ({ id, host }) => {
        const run = await runIn(
          ['connect', id, '--host', host.toUpperCase().replace('HTTPS://', 'https://')],
          press('Approve'),
        );
        expect(failures(run)).toEqual([]);
        expect(run.exitCode).toBe(0);
        expect(notes(run)).toContain(
          `stored under hosts.${host.replaceAll('.', '*')}: the host with its dots as "*" (contract §3.1)`,
        );
      },
    );

    it('an unregistered host ends at /web/error with PRVD-1003 before any provider page; the CLI exits 1 at once', async () => {
      const enterprise = all.find((p) => p.enterprise && p.oauth1 === undefined) as ProviderProfile;
      let title = '';
      const run = await runIn(
        ['connect', enterprise.id, '--host', 'https://unregistered.example.com'],
        async (page) => void (title = await page.title()),
      );
      expect(title).toBe('Authentication failed');
      expect(run.exitCode).toBe(1);
      expect(run.posts).toEqual([]);
      expect(run.events).toContainEqual(
        expect.objectContaining({
          type: 'check-failed',
          check: 'start is not sent to /web/error',
          actual: '"/web/error with code PRVD-1003"',
        }),
      );
      expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: false, failedStep: 'wait-callback' });
    });
  });

  describe('Deny', () => {
    it.runIf(fragmentProvider)(
      `for a fragment provider (${fragmentProvider?.id ?? 'none'}): the page finds no token, the CLI names the loop and exits 1`,
      async () => {
        const profile = fragmentProvider as ProviderProfile;
        const run = await runIn(['connect', profile.id], press('Deny'));
        // The page reloads itself until its servers are gone; the next run may only start once it has given up.
        await expect.poll(() => page.url()).toMatch(/^chrome-error:/);
        expect(run.exitCode).toBe(1);
        expect(run.posts).toEqual([303]);
        // The page sent the browser on with error=NO_TOKEN, which is answered with the page again (failure mode 13).
        expect(run.requested.some((u) => new URL(u).searchParams.get('error') === 'NO_TOKEN')).toBe(true);
        expect(run.events).toContainEqual(
          expect.objectContaining({
            type: 'check-failed',
            check: expect.stringMatching(/^the fragment carried a token/),
            actual: '"none: the provider sent error=access_denied"',
          }),
        );
        expect(notes(run).some((n) => n.includes('failure mode 13'))).toBe(true);
        expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: false, failedStep: 'wait-callback' });
      },
    );

    it.runIf(oauth1Provider)(
      `for an OAuth 1.0a provider (${oauth1Provider?.id ?? 'none'}): the access-token call is refused, the error page shows it, the CLI exits 1`,
      async () => {
        const profile = oauth1Provider as ProviderProfile;
        let title = '';
        const run = await runIn(['connect', profile.id], async (page) => {
          await Promise.all([page.waitForURL(/\/web\/error\?/), press('Deny')(page)]);
          title = await page.title();
        });
        expect(run.exitCode).toBe(1);
        expect(run.posts).toEqual([303]);
        expect(title).toBe('Authentication failed');
        expect(notes(run)).toContain(
          'the provider sent oauth_problem=permission_denied; CodeStream drops that parameter and tries the access-token call anyway',
        );
        expect(run.events).toContainEqual(
          expect.objectContaining({
            type: 'check-failed',
            check: 'callback is not sent to /web/error',
            actual: '"/web/error with code RAPI-1010"',
          }),
        );
        expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: false, failedStep: 'wait-callback' });
      },
    );
  });
});

/**
 * `connect --browser` end to end in Debian's chromium, driven by playwright-core: a person clicks
 * Approve or Deny on the consent page and the CLI's exit code follows.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import type { FlowEvent } from '../src/events.js';
import { createFakeDeps } from './helpers/fake-deps.js';

const CHROMIUM = '/usr/bin/chromium';
// Skipped only on a developer machine without chromium; in CI a missing chromium fails the launch below.
const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`skipping the browser tests: ${CHROMIUM} is missing (apt-get install chromium); in CI they fail instead`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(skip)('connect --browser in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Runs `connect github --browser --json` with an opener that loads the URL in a fresh chromium context. */
  async function connectIn(act: (page: Page) => Promise<void>) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    let acted: Promise<void> = Promise.resolve();
    const fake = createFakeDeps();
    const openUrl = async (url: string): Promise<void> => {
      await page.goto(url);
      acted = act(page); // the person decides after the CLI has moved on to waiting
    };
    try {
      const exitCode = await main(['connect', 'github', '--browser', '--json'], { ...fake.deps, openUrl });
      await acted;
      const events = fake.stdout().trim().split('\n').map((l) => JSON.parse(l) as FlowEvent);
      return { exitCode, events, requested, stderr: fake.stderr() };
    } finally {
      await context.close();
    }
  }

  it('shows the consent page, and after Approve the success page; the CLI exits 0 with the token delivered', async () => {
    let consent = { title: '', text: '' };
    let success = { title: '', text: '', referrerPolicy: '' };
    const run = await connectIn(async (page) => {
      consent = { title: await page.title(), text: await page.locator('main').innerText() };
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/auth-complete/')), page.getByRole('button', { name: 'Approve' }).click()]);
      await page.waitForLoadState();
      success = { title: await page.title(), text: await page.locator('main').innerText(), referrerPolicy: (await response.allHeaders())['referrer-policy'] ?? '' };
    });
    expect(consent.title).toBe('Authorize CodeStream to use your GitHub account');
    expect(consent.text).toContain('cs-github-client');
    expect(consent.text).toContain('read:user');
    expect(consent.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/no-auth\/provider-token\/github/);
    expect(success).toEqual({ title: 'Successful Auth', text: expect.stringContaining('You are now connected to GitHub'), referrerPolicy: 'no-referrer' });
    expect(run.exitCode).toBe(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { browser: 'real', tokenDelivered: true } });
    // Everything the browser loaded was a lab server: nothing from outside (RFC 9700 §4.2).
    expect(run.requested.filter((u) => !u.startsWith('http://127.0.0.1:'))).toEqual([]);
  });

  it('shows the error page with access_denied after Deny (pressed from the keyboard); the CLI exits 1', async () => {
    let error = { title: '', text: '' };
    const run = await connectIn(async (page) => {
      await page.keyboard.press('Tab'); // Approve
      await page.keyboard.press('Tab'); // Deny
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Deny');
      await Promise.all([page.waitForURL(/\/web\/error\?/), page.keyboard.press('Enter')]);
      error = { title: await page.title(), text: await page.locator('main').innerText() };
    });
    expect(error.title).toBe('Authentication failed');
    expect(error.text).toContain('We could not authenticate you with GitHub (error: access_denied).');
    expect(run.exitCode).toBe(1);
    expect(run.events).toContainEqual(expect.objectContaining({ type: 'check-failed', check: 'callback is not sent to /web/error', actual: '"/web/error with code access_denied"' }));
    expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: false, failedStep: 'wait-callback' });
  });
});

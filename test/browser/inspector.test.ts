/**
 * serve's inspector in Debian's chromium (playwright-core): serve's lab in process, the page open while a
 * connect and a sign-up run headless through the library, both flows appearing live with their hops, a hop's
 * decoded state, the HAR download, and a denied consent marked failed at its first wrong hop.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../src/events.js';
import { runConnect } from '../../src/flows/connect/run.js';
import { runSignup } from '../../src/flows/signup/run.js';
import { startInspector, type RunningInspector } from '../../src/inspector/index.js';
import { startServeLab } from '../../src/lab/serve.js';
import type { Lab } from '../../src/lab/start-lab.js';
import { flowDeps, labData } from '../helpers/lab.js';

const CHROMIUM = '/usr/bin/chromium';
// Skipped only on a developer machine without chromium; in CI a missing chromium fails the launch below.
const skip = !existsSync(CHROMIUM) && !process.env.CI;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

/** The hops a run's own events say the lab served: the browser's, the API's calls, the agent's keyed calls. */
const labHops = (events: FlowEvent[]): number =>
  events.filter(
    (e) =>
      e.type === 'http' &&
      (e.from === 'browser' || e.from === 'api' || /\/(provider-auth-code|no-auth\/check-signup)\b/.test(e.url)),
  ).length;

const row = (page: Page, kind: string) => page.locator('.flow-item', { hasText: kind });

describe.skipIf(skip)('the inspector in chromium', () => {
  let lab: Lab;
  let inspector: RunningInspector;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    const { config, profiles } = await labData();
    lab = await startServeLab({
      config,
      profiles,
      providers: ['github'],
      envs: [config.defaultEnvironment],
      consent: 'auto',
      successPage: 'marketing',
      now: Date.now,
      fetch: globalThis.fetch,
    });
    inspector = await startInspector(lab);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await (
      await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } })
    ).newPage();
    await page.goto(inspector.url);
    await page.locator('#status', { hasText: '● live' }).waitFor();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await inspector?.close();
    await lab?.close();
  });

  it('shows a connect and a sign-up live, a hop with its state decoded, and a HAR that parses', async () => {
    const connectDeps = await flowDeps();
    const connect = await runConnect({ provider: 'github' }, connectDeps, lab);
    expect(connect.outcome.ok).toBe(true);
    await expect.poll(() => row(page, 'connect').count()).toBe(1);
    const signupDeps = await flowDeps();
    const signup = await runSignup({ provider: 'github', poll: true, intervalMs: 20 }, signupDeps, lab);
    expect(signup.outcome.ok).toBe(true);
    await expect.poll(() => row(page, 'signup').count()).toBe(1);

    // Hops column: the 5th cell of a row; the numbers are the runs' own hops through the lab.
    const hopsOf = (kind: string) => row(page, kind).locator('span').nth(4).textContent();
    await expect.poll(() => hopsOf('connect')).toBe(String(labHops(connectDeps.events)));
    await expect.poll(() => hopsOf('signup')).toBe(String(labHops(signupDeps.events)));
    expect(await row(page, 'connect').locator('.mark').textContent()).toBe('✓ completed');
    expect(await row(page, 'signup').locator('.mark').textContent()).toBe('✓ completed');

    // Keyboard: the list takes focus, End goes to the oldest (the connect), Enter opens it.
    await page.locator('#flow-list').focus();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#flow-h').textContent()).toMatch(/^connect · github/);
    await expect.poll(() => page.locator('#hops tbody tr').count()).toBe(labHops(connectDeps.events));
    await expect.poll(() => page.locator('#diagram svg').count()).toBe(1);

    // Hop 2 is the start route: its Location carries the state.
    await page.locator('#hops tbody tr[data-n="2"] button').click();
    const state = page.locator('#state');
    await expect
      .poll(() => state.locator('dd').first().textContent())
      .toBe(`${connect.context.envName ?? 'local'} (prefix ${connect.context.sentState?.split('!')[0]}!)`);
    const claims = JSON.parse((await state.locator('pre.claims').textContent()) ?? '{}');
    expect(claims).toMatchObject({ type: 'pauth', userId: lab.config.defaultUser, teamId: lab.config.defaultTeam });
    expect(await page.locator('#hop-body .checks').textContent()).toContain('✓ PASS state carries a pauth JWT');

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#dl-har').click()]);
    const path = await download.path();
    const har = JSON.parse(await readFile(path, 'utf8'));
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.length).toBe(
      connectDeps.events.filter((e) => e.type === 'http' && e.from === 'browser').length,
    );
    // For a look by hand: INSPECTOR_SCREENSHOT=/tmp/inspector.png npx vitest run test/browser/inspector.test.ts
    const shot = process.env.INSPECTOR_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot });
  });

  it('marks a denied consent failed at its first wrong hop', async () => {
    lab.providers.get('github')?.control.failNext('authorize', { kind: 'deny' });
    const denied = await runConnect({ provider: 'github' }, await flowDeps(), lab);
    expect(denied.outcome.ok).toBe(false);
    const failed = page.locator('.flow-item', { hasText: 'failed at hop' });
    await expect.poll(() => failed.count()).toBe(1);
    // agent's pauth, the start route, then authorize: the provider answered error=access_denied.
    expect(await failed.locator('.mark').textContent()).toBe('✗ failed at hop 3');
    await failed.click();
    const hop3 = page.locator('#hops tbody tr[data-n="3"]');
    await expect.poll(() => hop3.getAttribute('class')).toBe('failed-hop');
    expect(await hop3.locator('.mark').textContent()).toBe('✗ 1 failed');
    expect(await page.locator('#hops tbody tr.failed-hop').first().getAttribute('data-n')).toBe('3');
    await hop3.locator('button').click();
    await expect
      .poll(() => page.locator('#hop-body .checks').textContent())
      .toContain('✗ FAIL authorize answers with a code: expected code=…, got error=access_denied');
    const shot = process.env.INSPECTOR_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot.replace(/\.png$/, '-failed.png'), fullPage: true });
  });
});

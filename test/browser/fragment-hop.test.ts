/**
 * The fragment page in a real browser (Debian's chromium via playwright-core): its nonce'd script runs under
 * the page's CSP and goes exactly where the headless browser's emulation goes (contract §1.5 step 3).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser } from '../../src/flows/engine/context.js';
import type { Lab } from '../../src/lab/start-lab.js';
import { startTestLab } from '../helpers/lab.js';

const CHROMIUM = '/usr/bin/chromium';
// Skipped only on a developer machine without chromium; in CI a missing chromium fails the launch below.
const skip = !existsSync(CHROMIUM) && !process.env.CI;
// No background traffic: the test must not reach beyond this machine.
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

describe.skipIf(skip)('the fragment page in chromium', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['youtrack'], envs: ['local'] });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('moves the token from the fragment to the auth origin, as the headless browser does', async () => {
    const api = lab.envs.get('local')!.url;
    const first = `${api}/no-auth/provider-token/youtrack#access_token=tok123&state=local!jwt&token_type=Bearer`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));
      await page.goto(first);
      await expect.poll(() => requested.length).toBeGreaterThan(1);
      const headless = createBrowser(lab, { fetch, now: Date.now, onEvent: () => undefined });
      const pageHop = await headless.get(first);
      expect(requested[1]).toBe(headless.scriptedNavigation(pageHop));
      expect(requested[1]).toBe(
        `${lab.authOrigin}/provider-token/youtrack?access_token=tok123&state=local%21jwt&token_type=Bearer&token=tok123`,
      );
    } finally {
      await browser.close();
    }
  });
});

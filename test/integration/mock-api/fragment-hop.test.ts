/**
 * The fragment hop of contract §1.5 step 3: the page provider-token serves a fragment provider, the script
 * a real browser runs, and the headless browser's emulation, which must navigate exactly as the script does.
 */
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessBrowser } from '../../../src/agent-sim/browser.js';
import { createBrowser } from '../../../src/flows/engine/context.js';
import { nextFragmentHop, readFragmentHopPage, type FragmentHopConfig } from '../../../src/protocol/fragment-hop.js';
import type { Lab } from '../../../src/lab/start-lab.js';
import { getManual, startTestLab } from '../../helpers/lab.js';

const TARGET = 'http://127.0.0.1:5000/no-auth/provider-token/p';

describe('nextFragmentHop', () => {
  it.each<[string, FragmentHopConfig, string, string]>([
    [
      'Trello: the state from the first hop, the token from "token"',
      { target: TARGET, tokenField: 'token', state: 'local!jwt' },
      'http://api/x?state=local!jwt#token=t1',
      `${TARGET}?token=t1&state=local%21jwt`,
    ],
    [
      'YouTrack: token and state from the fragment, the other fields kept',
      { target: TARGET, tokenField: 'access_token', state: '' },
      'http://api/x#access_token=t2&state=local!jwt&expires_in=3600',
      `${TARGET}?access_token=t2&state=local%21jwt&expires_in=3600&token=t2`,
    ],
    [
      'no token: error=NO_TOKEN, as the real page does',
      { target: TARGET, tokenField: 'token', state: 's' },
      'http://api/x#error=access_denied',
      `${TARGET}?error=NO_TOKEN&state=s`,
    ],
  ])('%s', (_name, config, href, expected) => {
    expect(nextFragmentHop(config, href)).toBe(expected);
  });
});

describe('the page and its script', () => {
  let lab: Lab;
  let api: string;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['trello'], envs: ['local'] });
    api = lab.envs.get('local')!.url;
  });
  afterAll(async () => {
    await lab?.close();
  });

  const firstHop = (state: string) =>
    getManual(`${api}/no-auth/provider-token/trello?state=${encodeURIComponent(state)}`);

  it('is 200 HTML with a nonce CSP, no-store and no referrer, and changes nothing', async () => {
    const before = lab.envs.get('local')!.ctx.store.snapshot();
    const res = await firstHop('local!jwt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'$/,
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(readFragmentHopPage(res.body)).toEqual({
      target: `${lab.authOrigin}/provider-token/trello`,
      tokenField: 'token',
      state: 'local!jwt',
    });
    expect(lab.envs.get('local')!.ctx.store.snapshot()).toEqual(before);
  });

  it('runs as a real browser would and goes where the headless browser goes', async () => {
    const res = await firstHop('local!jwt');
    const href = `${api}/no-auth/provider-token/trello?state=local!jwt#token=abc123`;
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(res.body)?.[1] ?? '';
    const json =
      /<script type="application\/json" id="codestream-fragment-hop">([^<]*)<\/script>/.exec(res.body)?.[1] ?? '';
    let navigated: string | undefined;
    runInNewContext(script, {
      location: { href, replace: (url: string) => (navigated = url) },
      document: { getElementById: () => ({ textContent: json }) },
      URL,
      URLSearchParams,
    });
    const browser = new HeadlessBrowser({ origins: new Map(), fetch, now: Date.now });
    const emulated = browser.scriptedNavigation({
      status: 200,
      body: res.body,
      url: href.split('#')[0]!,
      fragment: 'token=abc123',
      from: 'browser',
      to: 'api',
      method: 'GET',
      ms: 0,
      startedAt: 0,
    });
    expect(navigated).toBe(`${lab.authOrigin}/provider-token/trello?token=abc123&state=local%21jwt`);
    expect(emulated).toBe(navigated);
  });

  it('keeps a state that tries to end the script element inside the JSON', async () => {
    const state = 'local!</script><script>alert(1)</script>';
    const res = await firstHop(state);
    expect(res.body.match(/<script/g)).toHaveLength(2);
    expect(readFragmentHopPage(res.body)?.state).toBe(state);
  });

  it("serves the page again for the script's error=NO_TOKEN hop, so a missing token loops (failure mode 13)", async () => {
    const res = await getManual(`${api}/no-auth/provider-token/trello?error=NO_TOKEN&state=local!jwt`);
    expect(res.status).toBe(200);
    expect(readFragmentHopPage(res.body)).toBeDefined();
  });

  it('the headless browser keeps a fragment across a redirect without one (RFC 9110 §10.2.2) and never sends it', async () => {
    const browser = createBrowser(lab, { fetch, now: Date.now, onEvent: () => undefined });
    const routed = await browser.get(`${lab.authOrigin}/provider-token/trello?state=local!jwt#token=xyz`);
    expect(routed.fragment).toBe('token=xyz');
    const page = await browser.follow(routed);
    expect(page.fragment).toBe('token=xyz');
    expect(lab.envs.get('local')!.ctx.requests.at(-1)?.rawQuery).toBe('state=local!jwt');
  });
});

/**
 * The edge boxes' error writers: a bug in the router, the VPN proxy or the marketing site is answered with the
 * box's error shape and kept in its journal (router hits, proxy hits, the site's errors); a request express
 * cannot read is bad input, answered without a stack trace and journaled as no bug.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../../src/listen.js';
import { startMarketing } from '../../../src/mock-edge/marketing.js';
import { startRouter } from '../../../src/mock-edge/router.js';
import { createVpnProxy, routeApps, startVpnProxy } from '../../../src/mock-edge/vpn-proxy.js';
import { getManual } from '../../helpers/lab.js';
import { rawGet } from '../../helpers/net.js';

const started: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});
function keep<T extends RunningServer>(server: T): T {
  started.push(server);
  return server;
}

/** A clock whose first reading throws, as a bug in the box would. */
function brokenOnce(): () => number {
  let broken = true;
  return () => {
    if (!broken) return 0;
    broken = false;
    throw new TypeError('the clock failed');
  };
}

const slackBody = (appId: string) => `payload=${encodeURIComponent(JSON.stringify({ api_app_id: appId }))}`;

describe('router', () => {
  it('answers a bug with the 500 page, no Location, and keeps the error in the hit', async () => {
    const router = keep(await startRouter());
    // A table entry a header cannot carry: the 302 cannot be written, which the route does not expect.
    router.environments.set('local', 'http://127.0.0.1:1\n');
    const res = await getManual(`${router.url}/no-auth/provider-token/github?state=local!x&code=c`);
    expect(res.status).toBe(500);
    expect(res.location).toBeNull();
    expect(res.body).toContain('the router failed');
    expect(router.hits).toHaveLength(1);
    expect(router.hits[0]).toMatchObject({ status: 500, reason: 'the router failed', env: 'local' });
    expect(router.hits[0]?.error).toMatch(/^TypeError: Invalid character in header content/);
    expect(router.hits[0]?.location).toBeUndefined();
  });

  it('answers a path that is not valid %-encoding with the refusal page and journals no bug', async () => {
    const router = keep(await startRouter({ now: () => 0 }));
    const res = await rawGet(router.url, '/no-auth/provider-token/%E0?state=local!x');
    expect(res.status).toBe(400);
    expect(res.body).toContain('not valid percent-encoding');
    expect(router.hits).toEqual([
      { path: '/no-auth/provider-token/%E0', rawQuery: '', status: 400, reason: expect.any(String), at: 0 },
    ]);
  });
});

describe('VPN proxy', () => {
  it('on its own host: answers a bug with 500 SWEB-1000 and keeps the error in a hit', async () => {
    const proxy = createVpnProxy({ now: brokenOnce() });
    const server = keep(await startVpnProxy(proxy));
    const res = await fetch(`${server.url}/no-auth/provider-action/slack`, { method: 'POST', body: slackBody('A1') });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ code: 'SWEB-1000', message: 'the VPN proxy failed' });
    expect(proxy.hits).toHaveLength(1);
    expect(proxy.hits[0]).toMatchObject({ status: 500, error: 'TypeError: the clock failed' });
  });

  it("on the router's host: a refusal is the proxy's JSON, a bug the router's page with the error in its hit", async () => {
    const proxy = createVpnProxy({ now: () => 0 });
    routeApps(proxy.table, 'slack', ['A1'], { env: 'local', url: 'http://127.0.0.1:1' });
    const router = keep(await startRouter({ vpnProxy: proxy.app, now: brokenOnce() }));
    const refused = await fetch(`${router.url}/no-auth/provider-action/nope`, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-vpn-proxy')).toBe('refused');
    expect(await refused.json()).toMatchObject({ code: 'PRVD-1000' });
    expect(proxy.hits.at(-1)).toMatchObject({ status: 403 });
    // The router's clock fails on its first reading, in its own 404 route (the proxy does not take a GET).
    const res = await getManual(`${router.url}/no-auth/provider-action/slack`);
    expect(res.status).toBe(500);
    expect(router.hits.at(-1)).toMatchObject({ status: 500, error: 'TypeError: the clock failed' });
  });
});

describe('marketing site', () => {
  it('answers a bug with a 500 page without the stack and keeps the error', async () => {
    const names = new Map<string, string>();
    names.get = () => {
      throw new TypeError('the name table failed');
    };
    const site = keep(await startMarketing(names));
    const res = await getManual(`${site.url}/auth-complete/github`);
    expect(res.status).toBe(500);
    expect(res.body).not.toContain('the name table failed');
    expect(site.errors).toEqual([
      {
        method: 'GET',
        path: '/auth-complete/github',
        error: 'TypeError: the name table failed',
        at: expect.any(Number),
      },
    ]);
  });

  it('answers a path that is not valid %-encoding with a 400 page without the stack, and keeps no error', async () => {
    const site = keep(await startMarketing(new Map([['github', 'GitHub']])));
    const res = await rawGet(site.url, '/auth-complete/%E0');
    expect(res.status).toBe(400);
    expect(res.body).toContain('<h1>Bad request</h1>');
    expect(res.body).not.toContain('decodeURIComponent');
    expect(site.errors).toEqual([]);
    expect((await getManual(`${site.url}/auth-complete/github`)).body).toContain('connected to GitHub');
  });
});

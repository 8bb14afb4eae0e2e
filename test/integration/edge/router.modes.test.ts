/**
 * The router's two delivery modes against real environments: a 302 (the seed's nginx) or a reverse proxy
 * that delivers the same callback, and in both modes every refusal is a page without a Location.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { classifyState } from '../../../src/mock-edge/router.js';
import { startTestLab } from '../../helpers/lab.js';
import { rawGet } from '../../helpers/net.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoicGF1dGgifQ.c2ln';

const labs: Record<'redirect' | 'proxy', Lab | undefined> = { redirect: undefined, proxy: undefined };
beforeAll(async () => {
  labs.redirect = await startTestLab({ providers: [], envs: ['pd', 'qa'] });
  labs.proxy = await startTestLab({ providers: [], envs: ['pd', 'qa'], routerMode: 'proxy' });
});
afterAll(async () => {
  await Promise.all(Object.values(labs).map((l) => l?.close() ?? Promise.resolve()));
});

describe.each(['redirect', 'proxy'] as const)('%s mode', (mode) => {
  const lab = () => labs[mode] as Lab;

  it.each([
    ['an unknown environment', `state=nowhere!${JWT}&code=c`, 'unknown-env'],
    ['a malformed state (no "!")', 'state=qa&code=c', 'malformed-state'],
    ['characters outside [a-z0-9-]', `state=Q_A!${JWT}&code=c`, 'bad-env-chars'],
    ['a null! prefix', `state=null!${JWT}&code=c`, 'callback-env-unset'],
    ['an undefined! prefix', `state=undefined!${JWT}&code=c`, 'callback-env-unset'],
    ['no state', 'code=c', 'no-state'],
  ])('refuses %s with an error page and no Location, and no environment hears of it', async (_name, query, kind) => {
    const res = await rawGet(lab().router.url, `/no-auth/provider-token/github?${query}`);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.body).toContain('Cannot route this callback');
    expect(lab().router.hits.at(-1)).toMatchObject({ refusal: kind });
    expect(lab().router.hits.at(-1)?.routedTo).toBeUndefined();
    for (const api of lab().envs.values())
      expect(api.ctx.requests.filter((r) => r.path.startsWith('/no-auth/provider-token'))).toEqual([]);
  });

  it('refuses a wrong provider segment with a page and no Location', async () => {
    const res = await rawGet(lab().router.url, `/no-auth/provider-token/Git.Hub?state=qa!${JWT}`);
    expect(res).toMatchObject({ status: 400, location: undefined });
    expect(lab().router.hits.at(-1)).toMatchObject({ refusal: 'bad-provider' });
  });
});

describe('delivering a callback', () => {
  const query = `code=abc&state=qa%21${JWT}&odd="{}`;

  it('redirect mode answers 302 to the chosen environment, built from the table', async () => {
    const lab = labs.redirect as Lab;
    const res = await rawGet(lab.router.url, `/no-auth/provider-token/github?${query}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${lab.envs.get('qa')?.url}/no-auth/provider-token/github?${query}`);
    expect(lab.router.hits.at(-1)).toMatchObject({ env: 'qa', routedTo: lab.envs.get('qa')?.url });
  });

  it('proxy mode delivers the same callback: the environment gets the raw query and the browser its answer', async () => {
    const lab = labs.proxy as Lab;
    const qa = lab.envs.get('qa');
    const res = await rawGet(lab.router.url, `/no-auth/provider-token/github?${query}`);
    const seen = qa?.ctx.requests.at(-1);
    expect(seen).toMatchObject({ method: 'GET', path: '/no-auth/provider-token/github', rawQuery: query });
    // The API refuses this made-up state with its own error redirect, relayed with the Location made absolute.
    expect(res.status).toBe(seen?.status);
    expect(res.location).toBe(`${qa?.url}${seen?.location ?? ''}`);
    expect(res.location).toMatch(/\/web\/error\?state=.+&code=AUTH-1002&provider=github$/);
    expect(lab.router.hits.at(-1)).toMatchObject({ env: 'qa', routedTo: qa?.url, status: 302, location: res.location });
    expect(lab.envs.get('pd')?.ctx.requests).toEqual([]);
  });

  it('proxy mode answers an environment that is down with a 502 page and no Location', async () => {
    const lab = await startTestLab({ providers: [], envs: ['qa'], routerMode: 'proxy' });
    try {
      await lab.envs.get('qa')?.close();
      const res = await rawGet(lab.router.url, `/no-auth/provider-token/github?state=qa!${JWT}`);
      expect(res).toMatchObject({ status: 502, location: undefined });
      expect(lab.router.hits.at(-1)).toMatchObject({ refusal: 'upstream-failed' });
    } finally {
      await lab.close();
    }
  });
});

describe('classifyState', () => {
  const envs = new Map([['qa', 'http://127.0.0.1:1']]);
  it.each<[string | undefined, string | undefined]>([
    [`qa!${JWT}`, undefined],
    [`qa!${JWT}!https://git.example.com`, undefined],
    [undefined, 'no-state'],
    ['', 'no-state'],
    ['qa', 'malformed-state'],
    [`!${JWT}`, 'malformed-state'],
    ['null!x', 'callback-env-unset'],
    ['undefined!x', 'callback-env-unset'],
    ['QA!x', 'bad-env-chars'],
    ['..%2F!x', 'bad-env-chars'],
    ['pd!x', 'unknown-env'],
    ['hasOwnProperty!x', 'bad-env-chars'],
    ['constructor!x', 'unknown-env'],
  ])('classifies %j as %s', (state, kind) => {
    expect(classifyState(state, envs)?.kind).toBe(kind);
  });
});

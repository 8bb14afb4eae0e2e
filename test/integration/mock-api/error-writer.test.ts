/**
 * The mock API's one error writer (contract §1): a bug in a route is answered SWEB-1000 (or, on a browser
 * route, the /web/error redirect the contract gives a crash) and kept in the request's journal record; contract
 * errors and bad input are answered as before and leave no error in the journal.
 */
import type { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { defaultApiExtensions } from '../../../src/mock-api/features.js';
import type { ApiExtensions, RunningApi } from '../../../src/mock-api/index.js';
import { getManual, startTestLab } from '../../helpers/lab.js';
import { rawGet } from '../../helpers/net.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

// Routes with a bug, added the way later features add theirs.
function buggyRoutes(router: Router): void {
  router.get('/test/sync-bug', () => {
    throw new TypeError('sync route broke');
  });
  router.get('/test/async-bug', async () => {
    await Promise.resolve();
    throw new RangeError('async route broke');
  });
}

async function startApi(extensions: ApiExtensions): Promise<RunningApi> {
  lab = await startTestLab({ extensions });
  const api = lab.envs.get('local');
  if (!api) throw new Error('the lab has no local environment');
  return api;
}

const recordOf = (api: RunningApi, path: string) => api.ctx.requests.filter((r) => r.path === path).at(-1);

describe('a bug in a JSON route', () => {
  it.each([
    ['/test/sync-bug', 'TypeError: sync route broke'],
    ['/test/async-bug', 'RangeError: async route broke'],
  ])('%s: answers 500 {code: SWEB-1000} and the journal keeps the error', async (path, error) => {
    const defaults = defaultApiExtensions();
    const api = await startApi({ ...defaults, routes: [...(defaults.routes ?? []), buggyRoutes] });
    const res = await fetch(`${api.url}${path}`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ code: 'SWEB-1000' });
    expect(recordOf(api, path)).toMatchObject({ status: 500, error });
  });

  it('journals no error for a contract error or bad input', async () => {
    const api = await startApi(defaultApiExtensions());
    const me = await fetch(`${api.url}/users/me`);
    expect(me.status).toBe(403);
    expect(await me.json()).toMatchObject({ code: 'AUTH-1001' });
    const badPath = await rawGet(api.url, '/provider-refresh/%E0');
    expect(badPath.status).toBe(403);
    expect(JSON.parse(badPath.body)).toMatchObject({ code: 'RAPI-1012' });
    expect(api.ctx.requests.map((r) => r.error)).toEqual([undefined, undefined]);
  });
});

describe('a bug behind a browser route', () => {
  it('start: a broken sign-up start still sends the browser to /web/error, and the journal keeps the error', async () => {
    const api = await startApi({
      ...defaultApiExtensions(),
      signupStart: async () => {
        throw new TypeError('signup start broke');
      },
    });
    const res = await getManual(`${api.url}/web/provider-auth/github`);
    expect(res).toMatchObject({ status: 302, location: '/web/error?code=undefined&provider=github' });
    expect(recordOf(api, '/web/provider-auth/github')?.error).toBe('TypeError: signup start broke');
  });

  it("start: a pauth code that does not decode is the real server's TypeError, not a bug of the mock", async () => {
    const api = await startApi(defaultApiExtensions());
    const res = await getManual(`${api.url}/no-auth/provider-auth/github?code=garbage`);
    expect(res).toMatchObject({ status: 302, location: '/web/error?code=undefined&provider=github' });
    expect(recordOf(api, '/no-auth/provider-auth/github')).toMatchObject({ status: 302 });
    expect(recordOf(api, '/no-auth/provider-auth/github')?.error).toBeUndefined();
  });

  it('callback: a broken sign-up branch answers SWEB-1004, records the failed signup, and the journal keeps the error', async () => {
    const defaults = defaultApiExtensions();
    const api = await startApi({
      ...defaults,
      callback: {
        ...defaults.callback,
        anon: async () => {
          throw new TypeError('signup branch broke');
        },
      },
    });
    const { state } = (await (await fetch(`${api.url}/web/provider-auth/github?_returnState=1`)).json()) as {
      state: string;
    };
    const res = await getManual(`${api.url}/no-auth/provider-token/github?state=${encodeURIComponent(state)}&code=c`);
    expect(res.status).toBe(302);
    const location = new URL(res.location ?? '', 'http://x');
    expect(location.pathname).toBe('/web/error');
    expect(location.searchParams.get('code')).toBe('SWEB-1004');
    expect(recordOf(api, '/no-auth/provider-token/github')?.error).toBe('TypeError: signup branch broke');
    // The onError hook still ran: the polling IDE learns that the browser leg failed.
    const jwt = state.split('!')[1] ?? '';
    expect(api.ctx.signups.find(jwt)).toMatchObject({ userId: null, error: 'SWEB-1004' });
  });
});

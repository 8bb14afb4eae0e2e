/**
 * The auth-origin router (architecture §1, contract failure mode 11): it routes by the environment before
 * the first "!" of state, keeps the query byte-identical, and refuses everything else with a page, never
 * a Location (so it can never become an open redirect).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeRefusal, startRouter, type RunningRouter } from '../../../src/mock-edge/router.js';
import { getManual } from '../../helpers/lab.js';
import { rawGet } from '../../helpers/net.js';

// The environments are never contacted: every request below stops at the router's 302.
const ENVS = new Map([
  ['local', 'http://127.0.0.1:1001'],
  ['local-10-1-2-3', 'http://127.0.0.1:1002'],
  ['pd', 'http://127.0.0.1:1003'],
]);
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoicGF1dGgifQ.c2ln';

let router: RunningRouter;
beforeAll(async () => {
  router = await startRouter({ now: () => 0 });
  for (const [name, url] of ENVS) router.environments.set(name, url);
});
afterAll(async () => {
  await router?.close();
});

describe('refusals: a 400 page and no Location', () => {
  it.each([
    [
      'an unknown environment',
      `/no-auth/provider-token/github?state=nope!${JWT}&code=c`,
      'environment &#34;nope&#34; is not known',
    ],
    ['a state without "!"', '/no-auth/provider-token/github?state=localxyz&code=c', 'no environment before'],
    ['a state starting with "!"', `/no-auth/provider-token/github?state=!${JWT}&code=c`, 'no environment before'],
    ['uppercase in the environment', `/no-auth/provider-token/github?state=QA!x&code=c`, 'outside [a-z0-9-]'],
    ['a path in the environment', '/no-auth/provider-token/github?state=../!x&code=c', 'outside [a-z0-9-]'],
    ['an encoded path in the environment', '/no-auth/provider-token/github?state=..%2F!x&code=c', 'outside [a-z0-9-]'],
    [
      'a URL as the environment',
      '/no-auth/provider-token/github?state=http%3A%2F%2Fevil.example!x',
      'outside [a-z0-9-]',
    ],
    [
      'an unset callbackEnvironment (null)',
      '/no-auth/provider-token/github?state=null!x&code=c',
      'callbackEnvironment is not configured',
    ],
    [
      'an unset callbackEnvironment (undefined)',
      '/no-auth/provider-token/github?state=undefined!x&code=c',
      'callbackEnvironment is not configured',
    ],
    ['no state at all', '/no-auth/provider-token/github?code=c', 'no state parameter'],
    ['no query at all', '/no-auth/provider-token/github', 'no state parameter'],
    ['an empty state', '/no-auth/provider-token/github?state=&code=c', 'no state parameter'],
    ['state in bracket syntax', '/no-auth/provider-token/github?state[a]=local!x', 'no state parameter'],
    ['an environment name from Object.prototype', '/no-auth/provider-token/github?state=constructor!x', 'is not known'],
    ['a provider segment with uppercase', '/no-auth/provider-token/GitHub?state=local!x', 'is not a provider name'],
    ['a provider segment with dots', '/no-auth/provider-token/git.hub?state=local!x', 'is not a provider name'],
    [
      'a provider segment that decodes to a path',
      '/no-auth/provider-token/..%2Fadmin?state=local!x',
      'is not a provider name',
    ],
    [
      'a provider segment with CR LF',
      '/no-auth/provider-token/github%0d%0aSet-Cookie:%20x=1?state=local!x',
      'is not a provider name',
    ],
    [
      'a provider segment that is not valid %-encoding',
      '/no-auth/provider-token/%E0%A4%A?state=local!x',
      'not valid percent-encoding',
    ],
  ])('refuses %s', async (_name, path, reason) => {
    const before = router.hits.length;
    const res = await rawGet(router.url, path);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.body).toContain('<title>Cannot route this callback</title>');
    expect(res.body).toContain(reason);
    expect(res.body).not.toMatch(/\bat .+\.(?:js|ts):\d+/); // no stack trace
    expect(router.hits.slice(before)).toEqual([expect.objectContaining({ status: 400, reason: expect.any(String) })]);
    // and the router still routes the next callback
    expect((await rawGet(router.url, `/no-auth/provider-token/github?state=local!${JWT}`)).status).toBe(302);
  });

  it.each([
    '/',
    '/no-auth/provider-auth/github?state=local!x',
    '/provider-token/github?state=local!x',
    '/no-auth/provider-token/github/extra?state=local!x',
  ])('answers %s, which is not a callback route, with 404 and no Location', async (path) => {
    const res = await rawGet(router.url, path);
    expect(res.status).toBe(404);
    expect(res.location).toBeUndefined();
  });

  it('refuses a POST to the callback path with 404', async () => {
    const res = await getManual(`${router.url}/no-auth/provider-token/github?state=local!x`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.location).toBeNull();
  });
});

describe('routing: 302 to the environment with the raw query byte-identical', () => {
  it.each([
    ['a plain callback', 'local', `code=abc123&state=local!${JWT}`],
    ['a state with "!" percent-encoded, as providers send it', 'local', `code=abc123&state=local%21${JWT}`],
    ['a sandbox environment', 'local-10-1-2-3', `state=local-10-1-2-3!${JWT}!https%3A%2F%2Fgit.acme.example&code=z`],
    ['a provider error', 'pd', `error=access_denied&error_description=The+user+denied%20access&state=pd!${JWT}`],
    ['parameters in an unusual order and form', 'pd', `z=1&state=pd!${JWT}&a=&b&code=a%2Bb+c&code=second`],
    ['invalid percent-encoding', 'local', `state=local!x%E0%A4%A&code=%zz&odd=%`],
    ['characters URL encoders disagree on', 'local', `state=local!x&q="{}|^\`'()*~`],
    ['a state in a repeated key (the first one routes)', 'local', `state=local!a&state=pd!b`],
  ])('routes %s', async (_name, env, rawQuery) => {
    const res = await rawGet(router.url, `/no-auth/provider-token/github?${rawQuery}`);
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${ENVS.get(env)}/no-auth/provider-token/github?${rawQuery}`);
    expect(router.hits.at(-1)).toMatchObject({ status: 302, env, rawQuery, location: res.location });
  });

  it('keeps a long query byte-identical', async () => {
    const rawQuery = `state=local!${'A'.repeat(8000)}&code=c`;
    const res = await rawGet(router.url, `/no-auth/provider-token/slack?${rawQuery}`);
    expect(res.location).toBe(`${ENVS.get('local')}/no-auth/provider-token/slack?${rawQuery}`);
  });
});

describe('routeRefusal', () => {
  it.each<[string | undefined, boolean]>([
    [`local!${JWT}`, true],
    [`pd!${JWT}!https://h`, true],
    ['local', false],
    ['', false],
    [undefined, false],
    ['toString!x', false],
    ['__proto__!x', false],
  ])('routes %j: %s', (state, routable) => {
    expect(routeRefusal(state, ENVS) === undefined).toBe(routable);
  });
});

/**
 * The mock provider's one error writer: a bug inside a route (a crash fault) is answered with RFC 6749's
 * server_error and kept in the request's journal entry, never dropped; contract errors and bad input are
 * answered as the contract says and leave no error in the journal.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider, type ProviderEndpoint, type RunningProvider } from '../../../src/mock-provider/index.js';
import { getManual, labData } from '../../helpers/lab.js';
import { rawGet } from '../../helpers/net.js';

const CALLBACK = 'http://127.0.0.1:5999/no-auth/provider-token/x';
const providers = new Map<string, RunningProvider>();
beforeAll(async () => {
  const { profiles } = await labData();
  for (const id of ['github', 'gitlab', 'slack']) {
    const profile = profiles.get(id);
    if (!profile) throw new Error(`fixtures have no ${id} profile`);
    const clients = [{ clientId: `cs-${id}-client`, clientSecret: `cs-${id}-secret`, redirectUris: [CALLBACK] }];
    providers.set(id, await startMockProvider({ profile, clients }));
  }
});
afterAll(async () => {
  await Promise.all([...providers.values()].map((p) => p.close()));
});
beforeEach(() => {
  for (const p of providers.values()) p.control.reset();
});

const provider = (id: string): RunningProvider => {
  const p = providers.get(id);
  if (!p) throw new Error(`no ${id} provider`);
  return p;
};

const authorizeQuery = new URLSearchParams({
  client_id: 'cs-github-client',
  redirect_uri: CALLBACK,
  response_type: 'code',
  state: 'local!x',
}).toString();

// Each endpoint's route takes its fault only once the request got that far, so the crash is inside the route.
const ROUTES: Array<[ProviderEndpoint, string, string, RequestInit]> = [
  ['authorize', 'github', `/login/oauth/authorize?${authorizeQuery}`, {}],
  ['token', 'github', '/login/oauth/access_token?code=c', { method: 'POST', headers: { accept: 'application/json' } }],
  ['identity', 'gitlab', '/api/v4/user', { headers: { authorization: 'Bearer t' } }],
  ['profile', 'slack', '/api/users.info?user=U1', { headers: { authorization: 'Bearer t' } }],
];

describe('a bug inside a route (an injected crash)', () => {
  it.each(ROUTES)('%s: answers 500 server_error and the journal keeps the error', async (endpoint, id, path, init) => {
    const p = provider(id);
    p.control.failNext(endpoint, { kind: 'crash', message: `boom in ${endpoint}` });
    const res = await getManual(`${p.url}${path}`, init);
    expect(res.status).toBe(500);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({ error: 'server_error', error_description: 'the mock provider failed' });
    expect(p.control.requests.at(-1)).toMatchObject({ endpoint, status: 500, error: `Error: boom in ${endpoint}` });
  });

  it('keeps answering afterwards, and the next request has no error', async () => {
    const p = provider('github');
    p.control.failNext('authorize', { kind: 'crash', message: 'once' });
    expect((await getManual(`${p.url}/login/oauth/authorize?${authorizeQuery}`)).status).toBe(500);
    const next = await getManual(`${p.url}/login/oauth/authorize?${authorizeQuery}`);
    expect(next.status).toBe(302);
    expect(p.control.requests.map((r) => r.error)).toEqual(['Error: once', undefined]);
  });
});

describe('contract errors and bad input are no bugs', () => {
  it('answers an unregistered client with the error page and journals no error', async () => {
    const p = provider('github');
    const res = await getManual(`${p.url}/login/oauth/authorize?client_id=nope&redirect_uri=${CALLBACK}`);
    expect(res.status).toBe(400);
    expect(res.body).toContain('GitHub: invalid_client');
    expect(p.control.requests.at(-1)?.error).toBeUndefined();
  });

  it('answers a path segment that is not valid %-encoding with 400 invalid_request, never a 500', async () => {
    const p = provider('gitlab');
    const res = await rawGet(p.url, '/api/v4/users/%E0');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
    expect(p.control.requests.at(-1)).toMatchObject({ endpoint: 'identity', status: 400 });
    expect(p.control.requests.at(-1)?.error).toBeUndefined();
  });

  it('writes the identity refusal with its WWW-Authenticate challenge', async () => {
    const p = provider('gitlab');
    const res = await getManual(`${p.url}/api/v4/user`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="a Bearer access token is required"',
    );
    expect(JSON.parse(res.body)).toEqual({
      error: 'invalid_token',
      error_description: 'a Bearer access token is required',
    });
  });
});

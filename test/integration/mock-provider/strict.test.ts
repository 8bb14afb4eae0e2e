/**
 * The mock provider is strict by default (oauth-rules-and-quirks §3): each RFC rule has a failing case,
 * and a profile relaxes a rule only by name (Bitbucket's prefix match, Trello's origin check).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider, type RegisteredClient, type RunningProvider } from '../../../src/mock-provider/index.js';
import { createClock, getManual, labData } from '../../helpers/lab.js';

const CALLBACK = 'http://127.0.0.1:5999/no-auth/provider-token/p';
const CLIENT: RegisteredClient = {
  clientId: 'cs-client',
  clientSecret: 'cs-secret',
  redirectUris: [CALLBACK, 'http://127.0.0.1/native/cb'],
};
const STATE = 'local!eyJhbGciOiJIUzI1NiJ9.e30.c2ln';
const clock = createClock();
const running: RunningProvider[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.close()));
});
beforeEach(() => running.forEach((p) => p.control.reset()));

async function provider(id: string, opts: { codeLifetimeSeconds?: number } = {}): Promise<RunningProvider> {
  const profile = (await labData()).profiles.get(id);
  if (!profile) throw new Error(`no profile ${id}`);
  const p = await startMockProvider({
    profile,
    clients: [{ ...CLIENT, redirectUris: [...CLIENT.redirectUris] }],
    now: clock.now,
    ...opts,
  });
  running.push(p);
  return p;
}

type Params = Record<string, string>;
async function authorize(p: RunningProvider, over: Params = {}) {
  const a = p.profile.authorize;
  const params: Params = {
    [a.clientIdParameter]: CLIENT.clientId,
    [a.redirectUriParameter]: CALLBACK,
    response_type: a.responseType,
    state: STATE,
    ...over,
  };
  return getManual(
    `${p.url}${a.path}?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString()}`,
  );
}
async function codeOf(p: RunningProvider, over: Params = {}): Promise<string> {
  const res = await authorize(p, over);
  const code = new URL(res.location ?? 'http://x').searchParams.get('code');
  if (!code) throw new Error(`no code: ${res.status} ${res.location}`);
  return code;
}
async function token(p: RunningProvider, params: Params, headers: Record<string, string> = {}) {
  const res = await getManual(`${p.url}${p.profile.token?.path ?? ''}`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString(),
  });
  return { status: res.status, headers: res.headers, json: JSON.parse(res.body) as Record<string, unknown> };
}
const grant = (code: string, over: Params = {}): Params => ({
  grant_type: 'authorization_code',
  client_id: CLIENT.clientId,
  client_secret: CLIENT.clientSecret,
  redirect_uri: CALLBACK,
  code,
  ...over,
});

describe('redirect_uri: exact match with the RFC 8252 loopback-port exception', () => {
  it.each([
    ['another path', 'http://127.0.0.1:5999/no-auth/provider-token/q', 400],
    ['a trailing slash', `${CALLBACK}/`, 400],
    ['an extension of the registered one', `${CALLBACK}/more`, 400],
    ['localhost instead of 127.0.0.1 (RFC 8252 §8.3)', 'http://localhost:7000/native/cb', 400],
    ['any port on a loopback IP registered without one (RFC 8252 §7.3)', 'http://127.0.0.1:7000/native/cb', 302],
  ])('gitlab: %s → %i', async (_name, redirectUri, status) => {
    const res = await authorize(await provider('gitlab'), { redirect_uri: redirectUri });
    expect(res.status).toBe(status);
    if (status === 400) expect(res.location).toBeNull();
  });

  it('bitbucket relaxes it by name: a callback that extends the registered one is accepted (prefix match)', async () => {
    expect((await authorize(await provider('bitbucket'), { redirect_uri: `${CALLBACK}?extra=1` })).status).toBe(302);
  });

  it('refuses a redirect_uri at the token endpoint that differs from the one sent to authorize', async () => {
    const p = await provider('gitlab');
    const res = await token(p, grant(await codeOf(p), { redirect_uri: 'http://127.0.0.1:7000/native/cb' }));
    expect(res).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });
});

describe('parameters sent more than once are invalid_request (RFC 6749 §3.1)', () => {
  const doubled = (p: RunningProvider, name: string, value: string) =>
    getManual(
      `${p.url}${p.profile.authorize.path}?${new URLSearchParams([
        ['client_id', CLIENT.clientId],
        ['redirect_uri', CALLBACK],
        ['response_type', 'code'],
        ['state', STATE],
        [name, value],
      ]).toString()}`,
    );

  it.each(['client_id', 'redirect_uri'])('a doubled %s gets an error page and no redirect at all', async (name) => {
    const res = await doubled(await provider('gitlab'), name, name === 'client_id' ? CLIENT.clientId : CALLBACK);
    expect({ status: res.status, location: res.location }).toEqual({ status: 400, location: null });
    expect(res.body).toContain(`&#34;${name}&#34; is sent more than once`);
  });

  it('a doubled state goes back to the client as invalid_request, with the first state', async () => {
    const res = await doubled(await provider('gitlab'), 'state', 'other');
    const back = new URL(res.location ?? 'http://x');
    expect([
      res.status,
      `${back.origin}${back.pathname}`,
      back.searchParams.get('error'),
      back.searchParams.get('state'),
    ]).toEqual([302, CALLBACK, 'invalid_request', STATE]);
  });

  it('the token endpoint refuses a doubled code, also when it comes once in the query and once in the body', async () => {
    const p = await provider('gitlab');
    const code = await codeOf(p);
    const body = `${new URLSearchParams(grant(code)).toString()}&code=${code}`;
    const inBody = await getManual(`${p.url}${p.profile.token?.path ?? ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const split = await getManual(`${p.url}${p.profile.token?.path ?? ''}?code=${code}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(grant(code)).toString(),
    });
    for (const res of [inBody, split])
      expect({ status: res.status, json: JSON.parse(res.body) as unknown }).toMatchObject({
        status: 400,
        json: { error: 'invalid_request' },
      });
    // Neither request used the code up.
    expect((await token(p, grant(code))).status).toBe(200);
  });

  it('a consent POST with a decision other than approve or deny is a 400 page, not a silent deny', async () => {
    const p = await provider('gitlab');
    p.control.setConsent('page');
    const path = `${p.url}${p.profile.authorize.path}/consent?${new URLSearchParams({ client_id: CLIENT.clientId, redirect_uri: CALLBACK, response_type: 'code', state: STATE }).toString()}`;
    const res = await getManual(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=maybe',
    });
    expect({ status: res.status, location: res.location }).toEqual({ status: 400, location: null });
    expect(p.control.issued).toHaveLength(0);
  });
});

describe('codes: single use with revocation, a lifetime on an injected clock', () => {
  it('refuses a replayed code and revokes every token issued from it, refresh token included', async () => {
    const p = await provider('gitlab');
    const code = await codeOf(p);
    const first = await token(p, grant(code));
    expect(first.status).toBe(200);
    const replay = await token(p, grant(code));
    expect(replay).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(p.control.grants.isActive(String(first.json.access_token))).toBe(false);
    const refreshed = await token(p, {
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: String(first.json.refresh_token),
    });
    expect(refreshed).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it.each([
    [59_000, 200],
    [60_001, 400],
  ])('with a 60 s lifetime, a code used %i ms after authorize answers %i', async (ms, status) => {
    const p = await provider('gitlab', { codeLifetimeSeconds: 60 });
    const code = await codeOf(p);
    clock.advance(ms);
    expect((await token(p, grant(code))).status).toBe(status);
  });
});

describe('PKCE S256 enforced whenever a challenge was sent, downgrade refused (RFC 9700 §2.1.1, §4.8)', () => {
  const verifier = 'a'.repeat(43);
  const challenge = createHash('sha256').update(verifier).digest('base64url');

  it.each([
    [
      'the right verifier',
      { code_challenge: challenge, code_challenge_method: 'S256' },
      { code_verifier: verifier },
      200,
    ],
    [
      'no verifier although a challenge was sent',
      { code_challenge: challenge, code_challenge_method: 'S256' },
      {},
      400,
    ],
    [
      'a wrong verifier',
      { code_challenge: challenge, code_challenge_method: 'S256' },
      { code_verifier: 'b'.repeat(43) },
      400,
    ],
    ['a verifier without a challenge (downgrade)', {}, { code_verifier: verifier }, 400],
  ])('%s → %i', async (_name, atAuthorize: Params, atToken: Params, status) => {
    const p = await provider('gitlab');
    const res = await token(p, grant(await codeOf(p, atAuthorize), atToken));
    expect(res.status).toBe(status);
    if (status === 400) expect(res.json.error).toBe('invalid_grant');
  });

  it('refuses the plain method back at the callback, with the state', async () => {
    const res = await authorize(await provider('gitlab'), { code_challenge: verifier, code_challenge_method: 'plain' });
    const back = new URL(res.location ?? '');
    expect([back.searchParams.get('error'), back.searchParams.get('state')]).toEqual(['invalid_request', STATE]);
  });
});

describe("answers: no-store, state echoed on errors, the profile's error envelope", () => {
  it.each(['gitlab', 'slack', 'jira'])(
    '%s sends Cache-Control: no-store and Pragma: no-cache on success and error',
    async (id) => {
      const p = await provider(id);
      const ok = await token(p, grant(await codeOf(p)));
      const bad = await token(p, grant('nope'));
      for (const res of [ok, bad]) {
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('pragma')).toBe('no-cache');
      }
      expect(ok.status).toBe(200);
    },
  );

  it('slack answers errors as {ok:false, error} with HTTP 200, and success in the v2 shape with authed_user', async () => {
    const p = await provider('slack');
    expect(await token(p, grant('nope'))).toMatchObject({ status: 200, json: { ok: false, error: 'invalid_code' } });
    const ok = await token(p, grant(await codeOf(p, { user_scope: 'users:read', scope: 'chat:write' })));
    expect(ok.json).toMatchObject({
      ok: true,
      access_token: expect.stringMatching(/^xoxb-/),
      token_type: 'bot',
      scope: 'chat:write',
      authed_user: { access_token: expect.stringMatching(/^xoxp-/), scope: 'users:read', token_type: 'user' },
      team: { id: 'T0ACME0001' },
    });
    const userOnly = await token(p, grant(await codeOf(p, { user_scope: 'users:read' })));
    expect(userOnly.json).not.toHaveProperty('access_token');
  });

  it.each([
    ['gitlab', (loc: URL) => loc.searchParams],
    ['youtrack', (loc: URL) => new URLSearchParams(loc.hash.slice(1))],
  ])('%s echoes the state on a denied consent (in the fragment for fragment providers)', async (id, paramsOf) => {
    const p = await provider(id);
    p.control.failNext('authorize', { kind: 'deny' });
    const params = paramsOf(new URL((await authorize(p)).location ?? ''));
    expect([params.get('error'), params.get('state')]).toEqual(['access_denied', STATE]);
  });

  it('trello relaxes the callback check to its origin and returns the token in the fragment, the state left in return_url', async () => {
    const p = await provider('trello');
    const res = await authorize(p, {
      return_url: `${CALLBACK}?state=${encodeURIComponent(STATE)}`,
      key: CLIENT.clientId,
    });
    const back = new URL(res.location ?? '');
    expect(back.searchParams.get('state')).toBe(STATE);
    expect(new URLSearchParams(back.hash.slice(1)).get('token')).toBe(p.control.issued.at(-1)?.accessToken);
    expect((await authorize(p, { return_url: 'http://127.0.0.1:6000/no-auth/provider-token/p' })).status).toBe(400);
  });
});

describe('refresh grants', () => {
  async function connected(id: string): Promise<{ p: RunningProvider; refresh: string }> {
    const p = await provider(id);
    const res = await token(p, grant(await codeOf(p)));
    return { p, refresh: String(res.json.refresh_token) };
  }
  const refresh = (p: RunningProvider, value: string) =>
    token(p, {
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      [p.profile.token?.refresh.parameter ?? 'refresh_token']: value,
    });

  it('jira rotates: a new refresh token, and the used one answers 403 invalid_grant as Atlassian does', async () => {
    const { p, refresh: first } = await connected('jira');
    const next = await refresh(p, first);
    expect(next.status).toBe(200);
    expect(next.json.refresh_token).not.toBe(first);
    expect(await refresh(p, first)).toMatchObject({ status: 403, json: { error: 'invalid_grant' } });
    // Reuse detection (RFC 9700 §4.14.2): the whole family is revoked, the rotated token too.
    expect(await refresh(p, String(next.json.refresh_token))).toMatchObject({ status: 403 });
  });

  it('asana does not rotate: no refresh_token in the answer, the old one stays valid', async () => {
    const { p, refresh: first } = await connected('asana');
    const next = await refresh(p, first);
    expect(next.status).toBe(200);
    expect(next.json).not.toHaveProperty('refresh_token');
    expect((await refresh(p, first)).status).toBe(200);
  });

  it('github has no refresh grant', async () => {
    const p = await provider('github');
    expect((await refresh(p, 'x')).json).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('client authentication', () => {
  it('azuredevops wants client_assertion of the jwt-bearer type and the code as "assertion"', async () => {
    const p = await provider('azuredevops');
    const code = await codeOf(p);
    const base = {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      client_id: CLIENT.clientId,
      client_assertion: CLIENT.clientSecret,
      redirect_uri: CALLBACK,
      assertion: code,
    };
    expect(await token(p, base)).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    const ok = await token(p, {
      ...base,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    expect(ok).toMatchObject({
      status: 200,
      json: { access_token: expect.any(String), refresh_token: expect.any(String) },
    });
  });

  it('bitbucket takes HTTP Basic; a wrong secret is 401 with WWW-Authenticate', async () => {
    const p = await provider('bitbucket');
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${secret}`).toString('base64')}`,
    });
    const params = { grant_type: 'authorization_code', redirect_uri: CALLBACK, code: await codeOf(p) };
    const bad = await token(p, params, basic('wrong'));
    expect(bad).toMatchObject({ status: 401, json: { error: 'invalid_client' } });
    expect(bad.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(await token(p, params, basic(CLIENT.clientSecret))).toMatchObject({
      status: 200,
      json: { scopes: expect.any(String) },
    });
  });
});

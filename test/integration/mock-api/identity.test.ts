import { afterEach, describe, expect, it } from 'vitest';
import { lookupIdentity } from '../../../src/mock-api/outbound/identity.js';
import { renderAnswer } from '../../../src/mock-provider/identity.js';
import { startMockProvider, type RunningProvider } from '../../../src/mock-provider/index.js';
import type { IdentityConfig } from '../../../src/profiles/identity.js';
import { getManual, labData } from '../../helpers/lab.js';

let provider: RunningProvider | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

const CALLBACK = 'http://127.0.0.1/cb';

async function startProvider(id: string): Promise<{
  provider: RunningProvider;
  identity: IdentityConfig;
  token: () => Promise<string>;
  replay: () => Promise<void>;
}> {
  const { profiles } = await labData();
  const profile = profiles.get(id)!;
  const p = await startMockProvider({
    profile,
    clients: [{ clientId: 'c', clientSecret: 's', redirectUris: [CALLBACK] }],
  });
  provider = p;
  let lastCode = '';
  // A token the provider really issued: authorize (auto-approved), then the token endpoint.
  const exchange = (code: string) =>
    fetch(`${p.url}${profile.token?.path ?? ''}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('c:s').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK }).toString(),
    });
  const token = async () => {
    const auth = await getManual(
      `${p.url}${profile.authorize.path ?? ''}?client_id=c&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&state=s`,
    );
    lastCode = new URL(auth.location ?? '').searchParams.get('code') ?? '';
    const body = (await (await exchange(lastCode)).json()) as { access_token?: string };
    return body.access_token ?? '';
  };
  // RFC 6749 §4.1.2: replaying a code revokes the tokens issued from it.
  const replay = async () => void (await exchange(lastCode)).body?.cancel();
  return { provider: p, identity: profile.identity!, token, replay };
}

const get = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({
    status: r.status,
    headers: r.headers,
    body: (await r.json()) as unknown,
  }));

describe('the mock provider identity endpoints', () => {
  it('answer in the provider wire shape from the profile and the seeded account', async () => {
    const { provider: p, token } = await startProvider('github');
    const t = await token();
    expect(await get(`${p.url}/user`, t)).toMatchObject({
      status: 200,
      body: { login: 'sam-okafor', id: 58213907, name: 'Sam Okafor', email: null },
    });
    expect((await get(`${p.url}/user/emails`, t)).body).toEqual([
      { email: 'sam.okafor@newco.example', primary: true, verified: true },
    ]);
    expect(p.control.requests.map((r) => r.endpoint)).toEqual(['authorize', 'token', 'identity', 'identity']);
  });

  it('refuse a missing, unknown or revoked token with 401 invalid_token (RFC 6750 §3.1)', async () => {
    const { provider: p, token, replay } = await startProvider('bitbucket');
    const missing = await get(`${p.url}/2.0/user`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect((await get(`${p.url}/2.0/user`, 'never-issued')).status).toBe(401);
    const t = await token();
    expect((await get(`${p.url}/2.0/user`, t)).status).toBe(200);
    await replay(); // the replayed code revokes the token issued from it
    expect((await get(`${p.url}/2.0/user`, t)).status).toBe(401);
  });

  it('give the next identity to the next token only, and keep each token on its account', async () => {
    const { provider: p, token } = await startProvider('gitlab');
    p.control.setNextIdentity({ email: 'other@newco.example', publicEmail: false });
    const first = await token();
    const second = await token();
    expect((await get(`${p.url}/api/v4/user`, first)).body).toMatchObject({
      email: 'other@newco.example',
      public_email: null,
    });
    expect((await get(`${p.url}/api/v4/users/4711093`, first)).body).toMatchObject({ public_email: null });
    expect((await get(`${p.url}/api/v4/user`, second)).body).toMatchObject({
      email: 'rui.tanaka@newco.example',
      public_email: 'rui.tanaka@newco.example',
    });
    expect((await get(`${p.url}/api/v4/users/1`, second)).status).toBe(404);
  });

  it('fill templates with typed values and interpolate inside longer strings', () => {
    const account = { id: 7, username: 'u', fullName: 'F', email: null, publicEmail: true, primaryEmail: false };
    expect(
      renderAnswer(
        { a: '{id}', b: ['{primaryEmail}', '{email}'], c: 'https://x/{username}/{id}', d: '{nope}' },
        account,
      ),
    ).toEqual({ a: 7, b: [false, null], c: 'https://x/u/7', d: '{nope}' });
  });
});

describe('the API identity lookup against the mock provider', () => {
  it.each([
    {
      id: 'github',
      expected: {
        userId: '58213907',
        username: 'sam-okafor',
        fullName: 'Sam Okafor',
        email: 'sam.okafor@newco.example',
      },
    },
    {
      id: 'gitlab',
      expected: {
        userId: '4711093',
        username: 'rui.tanaka',
        fullName: 'Rui Tanaka',
        email: 'rui.tanaka@newco.example',
      },
    },
    {
      id: 'bitbucket',
      expected: {
        userId: '712020:5c3e7a1e-4b8f-4d2a-9c61-0be1b1e8a001',
        username: 'ines-moreau',
        email: 'ines.moreau@newco.example',
      },
    },
    {
      id: 'okta',
      expected: {
        userId: '00u1f2e3d4c5b6a7Z8y9',
        username: 'noor.haddad@newco.example',
        email: 'noor.haddad@newco.example',
      },
    },
  ])('reads who the $id user is', async ({ id, expected }) => {
    const { provider: p, identity, token } = await startProvider(id);
    const found = await lookupIdentity(identity, {
      baseUrl: p.url,
      accessToken: await token(),
      fetch,
      timeoutMs: 2000,
    });
    expect(found).toMatchObject(expected);
  });

  it.each([
    { id: 'gitlab', patch: { publicEmail: false }, code: 'PRVD-1010' },
    { id: 'bitbucket', patch: { primaryEmail: false }, code: 'PRVD-1005' },
    { id: 'github', patch: { primaryEmail: false }, code: 'RAPI-1010' },
    { id: 'okta', patch: { email: null }, code: 'RAPI-1010' },
  ])('fails $id with $code when no usable email comes back', async ({ id, patch, code }) => {
    const { provider: p, identity, token } = await startProvider(id);
    p.control.setNextIdentity(patch);
    await expect(
      lookupIdentity(identity, { baseUrl: p.url, accessToken: await token(), fetch, timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code });
  });

  it('fails with PRVD-1001 for a token the provider refuses, a failing call or an unreachable host', async () => {
    const { provider: p, identity, token } = await startProvider('github');
    const lookup = (baseUrl: string, accessToken: string) =>
      lookupIdentity(identity, { baseUrl, accessToken, fetch, timeoutMs: 2000 });
    await expect(lookup(p.url, 'invalid-token')).rejects.toMatchObject({
      code: 'PRVD-1001',
      info: 'GET /user answered 401',
    });
    p.control.failNext('identity', { kind: 'status', status: 502 });
    await expect(lookup(p.url, await token())).rejects.toMatchObject({
      code: 'PRVD-1001',
      info: 'GET /user answered 502',
    });
    const closedUrl = p.url;
    await p.close();
    provider = undefined;
    await expect(lookup(closedUrl, 'x')).rejects.toMatchObject({ code: 'PRVD-1001' });
  });
});

/**
 * POST /no-auth/provider-token/:provider, "client token" mode (contract §1.6, §8 post_provider_token,
 * failure mode 40): the identity is matched or created, the signup record written, check-signup then logs
 * the user in; every error is a JSON 403 with no redirect, no signup record and no write.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { ApiContext } from '../../../src/mock-api/context.js';
import { getManual, startTestLab } from '../../helpers/lab.js';

let lab: Lab;
let api: ApiContext;
let url: string;
beforeAll(async () => {
  lab = await startTestLab({ providers: ['github'], envs: ['local'] });
  api = lab.envs.get('local')!.ctx;
  url = lab.envs.get('local')!.url;
});
afterAll(async () => {
  await lab?.close();
});

const post = (provider: string, body: unknown, headers: Record<string, string> = {}) =>
  getManual(`${url}/no-auth/provider-token/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const checkSignup = async (token: string) => {
  const res = await fetch(`${url}/no-auth/check-signup`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  return { status: res.status, body: await res.json() };
};

describe('POST provider-token (contract §8 post_provider_token)', () => {
  it('matches or creates the identity of a mock code; check-signup then returns the user with the token (post_provider_token_test)', async () => {
    const st = randomUUID();
    const res = await post('github', { code: 'mock-4242-T77', token: 'gho_from_the_ide', signup_token: st });
    expect(res.status).toBe(200);
    expect(res.location).toBeNull();
    const login = await checkSignup(st);
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ signupStatus: 'userCreated', provider: 'github' });
    expect(login.body.user.providerInfo.github).toMatchObject({ accessToken: 'gho_from_the_ide', userId: '4242' });
    expect(login.body.user.providerIdentities).toEqual(['github::4242']);
  });

  it('looks a real token up at the provider when there is no mock code, and stores data with the token', async () => {
    const token = lab.providers
      .get('github')!
      .control.grants.issueToken({ code: 'ide', clientId: 'cs-github-client' }, 'gho_').accessToken;
    const st = randomUUID();
    const res = await post('github', { token, signup_token: st, data: { sessionId: 's-1' } });
    expect(res.status).toBe(200);
    expect(
      lab.providers
        .get('github')!
        .control.requests.filter((r) => r.endpoint === 'identity')
        .map((r) => r.headers.authorization),
    ).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
    const login = await checkSignup(st);
    expect(login.body.user).toMatchObject({
      email: 'sam.okafor@newco.example',
      providerIdentities: ['github::58213907'],
    });
    expect(login.body.user.providerInfo.github).toMatchObject({
      accessToken: token,
      userId: '58213907',
      data: { sessionId: 's-1' },
    });
  });

  it('signs in an existing unregistered user named by _mockEmail under the mock secret (existing_unregistered_user_test)', async () => {
    api.store.users.set('pat', {
      ...structuredClone(api.store.users.get('lee')!),
      _id: 'pat',
      id: 'pat',
      email: 'pat@acme.example',
      isRegistered: false,
      teamIds: [],
      companyIds: [],
      accessToken: 'cs-token-pat',
      broadcasterToken: 'bc-token-pat',
    });
    const st = randomUUID();
    const res = await post(
      'github',
      { code: 'mock-77-T1', token: 'gho_pat', signup_token: st, _mockEmail: 'pat@acme.example' },
      { 'x-cs-mock-secret': 'ConfirmationCheatCode' },
    );
    expect(res.status).toBe(200);
    const login = await checkSignup(st);
    expect(login.body).toMatchObject({
      signupStatus: 'signedIn',
      user: { id: 'pat', isRegistered: true, providerInfo: { github: { accessToken: 'gho_pat' } } },
    });
  });

  it('ignores _mockEmail without the mock secret: a new user is created instead', async () => {
    const st = randomUUID();
    expect(
      (await post('github', { code: 'mock-78-T1', token: 'gho_x', signup_token: st, _mockEmail: 'dana@acme.example' }))
        .status,
    ).toBe(200);
    const login = await checkSignup(st);
    expect(login.body.signupStatus).toBe('userCreated');
    expect(login.body.user.email).not.toBe('dana@acme.example');
  });

  it('keeps no signup record without a signup token, but still stores the identity', async () => {
    const before = api.signups.records.size;
    const res = await post('github', { code: 'mock-5150-T1', token: 'gho_nobody_polls' });
    expect(res.status).toBe(200);
    expect(api.signups.records.size).toBe(before);
    expect([...api.store.users.values()].some((u) => u.providerIdentities.includes('github::5150'))).toBe(true);
  });
});

describe('POST provider-token errors are JSON 403, never a redirect, and write nothing', () => {
  it.each([
    [
      'trello, a provider without client tokens (bad_provider_identity_match_test)',
      'PRVD-1011',
      'trello',
      { token: 't', signup_token: 'st' },
    ],
    ['jira (invalid_provider_test)', 'PRVD-1011', 'jira', { token: 't', signup_token: 'st' }],
    ['an unknown provider (unknown_provider_test)', 'PRVD-1000', 'blahblah', { token: 't', signup_token: 'st' }],
    ['no token (token_required_test)', 'RAPI-1001', 'github', { signup_token: 'st' }],
    [
      'token invalid-token with a mock code (invalid_token_test)',
      'PRVD-1001',
      'github',
      { code: 'mock-1-T1', token: 'invalid-token', signup_token: 'st' },
    ],
    ['a token the provider never issued', 'PRVD-1001', 'github', { token: 'gho_forged', signup_token: 'st' }],
    [
      'no_signup with no matching user (no_signup_test)',
      'PRVD-1005',
      'github',
      { code: 'mock-2-T1', token: 't', signup_token: 'st', no_signup: true },
    ],
    ['a token that is not a string', 'RAPI-1012', 'github', { token: 42, signup_token: 'st' }],
    ['no_signup that is not a boolean', 'RAPI-1012', 'github', { token: 't', no_signup: 'yes' }],
  ])('%s → %s', async (_name, code, provider, body) => {
    const before = api.store.snapshot();
    const records = [...api.signups.records.keys()];
    const res = await post(provider, body);
    expect(res.status).toBe(403);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ code, message: expect.any(String) });
    expect(api.store.snapshot()).toEqual(before);
    expect([...api.signups.records.keys()]).toEqual(records);
  });

  it('matches PRVD-1011 before the token check: which providers accept a POST is profile data', async () => {
    const res = await post('gitlab', {});
    expect(JSON.parse(res.body)).toMatchObject({ code: 'PRVD-1011' });
    expect(lab.profiles.get('github')?.acceptsClientToken).toBe(true);
    expect([...lab.profiles.values()].filter((p) => p.acceptsClientToken).map((p) => p.id)).toEqual(['github']);
  });

  it('leaves the GET callback of the same path as it was', async () => {
    const res = await getManual(`${url}/no-auth/provider-token/github`);
    expect(res.status).toBe(302);
    expect(res.location).toBe('/web/error?state=0&code=RAPI-1001&provider=github');
  });
});

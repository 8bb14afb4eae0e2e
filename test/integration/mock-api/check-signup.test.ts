import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { ApiContext } from '../../../src/mock-api/context.js';
import { createClock, startTestLab } from '../../helpers/lab.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function setup(now?: () => number): Promise<{
  ctx: ApiContext;
  put: (body: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: Record<string, unknown> }>;
}> {
  lab = await startTestLab(now === undefined ? {} : { now });
  const api = lab.envs.get('local')!;
  const put = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${api.url}/no-auth/check-signup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ctx: api.ctx, put };
}

describe('PUT /no-auth/check-signup (contract §5)', () => {
  it.each([
    { name: 'no token', body: {}, code: 'RAPI-1001', info: 'token' },
    { name: 'an empty token', body: { token: '' }, code: 'RAPI-1001', info: 'token' },
    { name: 'a token that is not a string', body: { token: 42 }, code: 'RAPI-1012', info: 'token' },
    {
      name: 'an nrAccountId that is not a number',
      body: { token: 'x', nrAccountId: 'x' },
      code: 'RAPI-1012',
      info: 'nrAccountId',
    },
    { name: 'a body that is not JSON', body: '{"token":', code: 'RAPI-1012', info: 'body is not valid JSON' },
  ])('answers 403 $code for $name and changes nothing', async ({ body, code, info }) => {
    const { ctx, put } = await setup();
    const before = ctx.store.snapshot();
    expect(await put(body)).toEqual({ status: 403, body: expect.objectContaining({ code, info }) });
    expect(ctx.store.snapshot()).toEqual(before);
  });

  it.each([
    ['an unknown UUID', randomUUID()],
    ['garbage', 'abcxyz'],
  ])('answers AUTH-1006 for %s, as for a flow still pending', async (_name, token) => {
    const { put } = await setup();
    expect(await put({ token })).toMatchObject({
      status: 403,
      body: { code: 'AUTH-1006', message: expect.stringContaining('not yet completed') },
    });
  });

  it('answers USRC-1022 with the nested {error, provider} once, then AUTH-1006', async () => {
    const { ctx, put } = await setup();
    ctx.signups.insert({ token: 'tok-1', userId: null, error: 'PRVD-1005', provider: 'github' });
    expect(await put({ token: 'tok-1' })).toEqual({
      status: 403,
      body: { code: 'USRC-1022', message: 'provider login failed', error: 'PRVD-1005', provider: 'github' },
    });
    expect(await put({ token: 'tok-1' })).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });

  it('answers the stored code itself in sharing mode, and UNKNOWN for a code it does not know', async () => {
    const { ctx, put } = await setup();
    ctx.signups.insert({
      token: 'known',
      userId: null,
      error: 'RAPI-1010',
      providerError: 'x',
      provider: 'slack',
      sharing: true,
    });
    ctx.signups.insert({
      token: 'raw',
      userId: null,
      error: 'access_denied',
      providerError: 'access_denied',
      provider: 'slack',
      sharing: true,
    });
    expect(await put({ token: 'known' })).toMatchObject({
      status: 403,
      body: { code: 'RAPI-1010', providerError: 'x', provider: 'slack' },
    });
    expect(await put({ token: 'raw' })).toMatchObject({
      status: 403,
      body: { code: 'UNKNOWN', providerError: 'access_denied' },
    });
  });

  it.each(['toString', 'constructor', '__proto__'])(
    'answers UNKNOWN in sharing mode for the raw provider error %s (not a code of the catalogue)',
    async (error) => {
      const { ctx, put } = await setup();
      ctx.signups.insert({ token: 'odd', userId: null, error, providerError: error, provider: 'slack', sharing: true });
      expect(await put({ token: 'odd' })).toMatchObject({
        status: 403,
        body: { code: 'UNKNOWN', providerError: error, provider: 'slack' },
      });
    },
  );

  it('answers USRC-1032 with the url for a record that says to switch servers (region switch)', async () => {
    const { ctx, put } = await setup();
    // Written by the NR-login region hand-off (contract §7).
    ctx.signups.insert({
      token: 'eu',
      userId: 'dana',
      provider: 'newrelicidp',
      switchToServerUrl: 'https://eu.example',
    });
    expect(await put({ token: 'eu' })).toMatchObject({
      status: 403,
      body: { code: 'USRC-1032', url: 'https://eu.example' },
    });
    expect(await put({ token: 'eu' })).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });

  it('answers AUTH-1005 for an expired record, and AUTH-1006 once it was purged a window later', async () => {
    const clock = createClock();
    const { ctx, put } = await setup(clock.now);
    ctx.signups.insert({ token: 'late', userId: 'dana', signupStatus: 'signedIn', provider: 'github' });
    ctx.signups.insert({ token: 'later', userId: 'dana', signupStatus: 'signedIn', provider: 'github' });
    clock.advance(600_001);
    expect(await put({ token: 'late' })).toMatchObject({ status: 403, body: { code: 'AUTH-1005' } });
    clock.advance(600_001);
    expect(await put({ token: 'later' })).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });

  it('answers RAPI-1003 for a deleted user and USRC-1010 for an unregistered one', async () => {
    const { ctx, put } = await setup();
    ctx.signups.insert({ token: 'gone', userId: 'user-nobody', provider: 'github' });
    ctx.store.users.get('lee')!.isRegistered = false;
    ctx.signups.insert({ token: 'unreg', userId: 'lee', provider: 'github' });
    expect(await put({ token: 'gone' })).toMatchObject({ status: 403, body: { code: 'RAPI-1003' } });
    expect(await put({ token: 'unreg' })).toMatchObject({ status: 403, body: { code: 'USRC-1010' } });
  });

  it('answers the login package for a double-pasted token, and the record survives it (contract §1.10)', async () => {
    const clock = createClock();
    const { ctx, put } = await setup(clock.now);
    const token = randomUUID();
    ctx.store.updateUser('dana', { $set: { 'providerInfo.github': { userId: '1', accessToken: 'gho_x' } } });
    ctx.signups.insert({
      token,
      userId: 'dana',
      signupStatus: 'signedIn',
      provider: 'github',
      providerAccess: 'strict',
    });
    const first = await put({ token: `${token}${token}` }, { 'x-cs-plugin-ide': 'VS Code' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      accessToken: 'cs-token-dana',
      broadcasterToken: 'bc-token-dana',
      signupStatus: 'signedIn',
      provider: 'github',
      providerAccess: 'strict',
      runtimeEnvironment: 'local',
      isOnPrem: false,
      teams: [{ id: 'acme' }],
      companies: [{ id: 'company-acme' }],
      user: {
        id: 'dana',
        lastLogin: clock.now(),
        lastOrigin: 'VS Code',
        providerInfo: { github: { accessToken: 'gho_x' } },
      },
    });
    // Server-only fields never leave in the me-object.
    expect(first.body.user).not.toHaveProperty('accessToken');
    // Contract §1.10 (users/signup_tokens.js remove, check_signup_request.js removeSignupToken): the record is
    // removed under the raw 72 characters, so the 36-character record survives and answers again, once.
    expect(await put({ token })).toMatchObject({ status: 200, body: { accessToken: 'cs-token-dana' } });
    expect(await put({ token })).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });

  it('answers a single paste once: the second call is AUTH-1006 (check_signup/no_reuse_token_test.js)', async () => {
    const { ctx, put } = await setup();
    const token = randomUUID();
    ctx.signups.insert({ token, userId: 'dana', signupStatus: 'signedIn', provider: 'github' });
    expect(await put({ token })).toMatchObject({ status: 200 });
    expect(await put({ token })).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });
});

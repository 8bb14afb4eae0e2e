import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { inspectState, normalizeStateInput } from '../../src/commands/decode-state.js';
import { main } from '../../src/cli.js';
import { specialEncode } from '../../src/state.js';
import { createClock, labData } from '../helpers/lab.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

const SECRET = 'AuthSecret';
const clock = createClock();
const nowS = Math.floor(clock.now() / 1000);

async function pauth(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return new SignJWT({ iss: 'CodeStream', alg: 'HS256', type: 'pauth', userId: 'dana', teamId: 'acme', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}

const fresh = await pauth({ iat: nowS - 60, exp: nowS + 540 });
const expired = await pauth({ iat: nowS - 800, exp: nowS - 200 });
const forged = await pauth({ iat: nowS - 60, exp: nowS + 540 }, 'not-the-secret');
const noExp = await pauth({ iat: nowS });

describe('inspectState', () => {
  it.each([
    {
      name: 'a fresh connect state',
      state: `local!${fresh}`,
      secret: SECRET,
      expiry: 'valid',
      inMs: 540_000,
      signature: 'valid',
    },
    {
      name: 'an expired state, signature still valid',
      state: `local!${expired}`,
      secret: SECRET,
      expiry: 'expired',
      inMs: -200_000,
      signature: 'valid',
    },
    {
      name: 'a state signed with another secret',
      state: `local!${forged}`,
      secret: SECRET,
      expiry: 'valid',
      inMs: 540_000,
      signature: 'invalid',
    },
    {
      name: 'a state checked without a secret',
      state: `pd!${fresh}`,
      secret: undefined,
      expiry: 'valid',
      inMs: 540_000,
      signature: 'not-checked',
    },
    {
      name: 'a token without exp',
      state: `local!${noExp}`,
      secret: SECRET,
      expiry: 'no-expiry',
      inMs: undefined,
      signature: 'valid',
    },
  ])('reads $name', async ({ state, secret, expiry, inMs, signature }) => {
    const { config } = await labData();
    const i = await inspectState(state, { now: clock.now, config, ...(secret === undefined ? {} : { secret }) });
    expect(i.expiry.status).toBe(expiry);
    expect(i.expiry.inMs).toBe(inMs);
    expect(i.signature.status).toBe(signature);
    expect(i.token.claims).toMatchObject({ type: 'pauth', userId: 'dana', teamId: 'acme' });
    expect(i.environment.inLab).toBe(true);
  });

  it('says by how much a state expired, in words', async () => {
    const i = await inspectState(`local!${expired}`, { now: clock.now });
    expect(i.expiry.text).toMatch(/^expired 3 min 20 s ago \(.+, lifetime 10 min\)$/);
  });

  it('special-decodes the host segment and reads the oasec segment', async () => {
    const oasec = await pauth({ type: 'oasec', sec: 'request-token-secret' });
    const i = await inspectState(`local!${fresh}!${specialEncode('https://jira.acme.example')}!${oasec}`, {
      now: clock.now,
    });
    expect(i.host).toEqual({
      value: 'https://jira.acme.example',
      raw: 'https***(_colon_)***(_slash_)***(_slash_)jira.acme.example',
      specialEncoded: true,
    });
    expect(i.oasec).toMatchObject({ type: 'oasec', sec: 'request-token-secret' });
  });

  it.each([
    ['null', 'apiServer.callbackEnvironment is not configured'],
    ['nowhere', undefined],
  ])('flags environment %s that the lab does not know', async (env, warning) => {
    const { config } = await labData();
    const i = await inspectState(`${env}!${fresh}`, { now: clock.now, config });
    expect(i.environment.inLab).toBe(false);
    if (warning) expect(i.environment.warning).toContain(warning);
  });

  it.each([
    ['the state itself', `local!${fresh}`],
    ['its percent-encoded form', encodeURIComponent(`local!${fresh}`)],
    [
      'a callback URL carrying it',
      `http://127.0.0.1:5000/no-auth/provider-token/github?code=abc&state=${encodeURIComponent(`local!${fresh}`)}`,
    ],
  ])('accepts %s', (_what, input) => {
    expect(normalizeStateInput(input)).toBe(`local!${fresh}`);
  });

  it.each([
    ['an empty string', '', 'the state is empty'],
    ['no "!" at all', 'garbage', 'has no JWT segment'],
    ['an environment with nothing after "!"', 'local!', 'has no JWT segment'],
    ['a token that is not a JWT', 'local!xyz', 'is not a JWT'],
    ['a JWT with a broken payload', 'local!eyJhbGciOiJIUzI1NiJ9.%%%.sig', 'is not a JWT'],
    ['too many segments', `local!${fresh}!h!o!extra`, 'at most 4 are allowed'],
    ['a URL without a state', 'https://example.test/cb?code=1', 'has no state parameter'],
    ['a broken %-escape', 'local%21%E0%A4%A', 'broken %-escape'],
  ])('refuses %s with STATE_MALFORMED', async (_what, input, message) => {
    await expect(inspectState(input, { now: clock.now })).rejects.toMatchObject({
      code: 'STATE_MALFORMED',
      message: expect.stringContaining(message),
    });
  });
});

describe('decode-state command', () => {
  it('prints the claims, expiry, signature and environment, and exits 0', async () => {
    const fake = createFakeDeps({ now: clock.now });
    const code = await main(['decode-state', `local!${expired}`, '--secret', SECRET], fake.deps);
    expect(code).toBe(0);
    expect(fake.stdout()).toMatch(/^environment\s+local \(in the lab config\)$/m);
    expect(fake.stdout()).toMatch(/^\s+userId\s+dana$/m);
    expect(fake.stdout()).toMatch(/^expiry\s+expired 3 min 20 s ago/m);
    expect(fake.stdout()).toMatch(/^signature\s+valid with the given secret$/m);
  });

  it('prints the inspection but exits 1 when --secret does not verify the signature', async () => {
    const fake = createFakeDeps({ now: clock.now });
    expect(await main(['decode-state', `local!${fresh}`, '--secret', 'not-the-secret'], fake.deps)).toBe(1);
    expect(fake.stdout()).toMatch(/^signature\s+INVALID/m);
  });

  it('prints JSON with --json', async () => {
    const fake = createFakeDeps({ now: clock.now });
    expect(await main(['decode-state', `local!${fresh}`, '--json'], fake.deps)).toBe(0);
    expect(JSON.parse(fake.stdout())).toMatchObject({
      environment: { name: 'local', inLab: true },
      expiry: { status: 'valid' },
      signature: { status: 'not-checked' },
    });
  });

  it.each([['garbage'], ['local!xyz'], ['']])('turns bad input %j into a one-line error and exit 1', async (input) => {
    const fake = createFakeDeps({ now: clock.now });
    expect(await main(['decode-state', input], fake.deps)).toBe(1);
    expect(fake.stdout()).toBe('');
    expect(fake.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(fake.stderr()).toMatch(/^error: /);
  });
});

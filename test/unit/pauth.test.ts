import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { CONNECT_LIFETIME_S, SIGNUP_LIFETIME_S, signToken, verifyToken } from '../../src/mock-api/pauth.js';
import { CONNECT_PAUTH_LIFETIME_S, SIGNUP_PAUTH_LIFETIME_S } from '../../src/flows/engine/contract.js';

// A clock that moves 1 ms on every reading, starting 1 ms before a whole second: a second reading lands in the next second.
function tickingClock(start = 1_700_000_000_999): () => number {
  let t = start - 1;
  return () => (t += 1);
}

describe('pauth tokens (contract §2.1)', () => {
  // The mock's lifetimes are what the contract says (§1.2: 600 s, §1.4: 120 s), not merely what the mock says.
  it('uses the contract lifetimes', () => {
    expect([CONNECT_LIFETIME_S, SIGNUP_LIFETIME_S]).toEqual([CONNECT_PAUTH_LIFETIME_S, SIGNUP_PAUTH_LIFETIME_S]);
  });

  it.each([
    ['pauth', CONNECT_PAUTH_LIFETIME_S],
    ['pauth sign-up', SIGNUP_PAUTH_LIFETIME_S],
  ])('%s: exp − iat is the lifetime even when the clock crosses a second while minting', async (_name, lifetime) => {
    const jwt = await signToken('pauth', { userId: 'u1' }, { secret: 's', now: tickingClock() }, lifetime);
    const claims = decodeJwt(jwt);
    expect({ iat: claims.iat, lifetime: Number(claims.exp) - Number(claims.iat) }).toEqual({
      iat: 1_700_000_000,
      lifetime,
    });
  });

  it('a shorter expiresIn shortens the lifetime and never lengthens it', async () => {
    const key = { secret: 's', now: tickingClock() };
    const short = decodeJwt(await signToken('pauth', {}, key, CONNECT_PAUTH_LIFETIME_S, 30_000));
    const long = decodeJwt(await signToken('pauth', {}, key, CONNECT_PAUTH_LIFETIME_S, 3_600_000));
    expect([Number(short.exp) - Number(short.iat), Number(long.exp) - Number(long.iat)]).toEqual([
      30,
      CONNECT_PAUTH_LIFETIME_S,
    ]);
  });

  it('verifies on the injected clock: AUTH-1005 once expired, AUTH-1002 for another secret', async () => {
    let now = 1_700_000_000_000;
    const key = { secret: 's', now: () => now };
    const jwt = await signToken('pauth', { userId: 'u1' }, key, CONNECT_PAUTH_LIFETIME_S);
    await expect(verifyToken(jwt, key)).resolves.toMatchObject({ userId: 'u1', type: 'pauth', iss: 'CodeStream' });
    await expect(verifyToken(jwt, { ...key, secret: 'other' })).rejects.toMatchObject({ code: 'AUTH-1002' });
    now += (CONNECT_PAUTH_LIFETIME_S + 1) * 1000;
    await expect(verifyToken(jwt, key)).rejects.toMatchObject({ code: 'AUTH-1005' });
  });
});

/**
 * pauth JWTs (contract §2.1): HS256, iss "CodeStream", alg and type in the payload, exp from the lifetime.
 * Signed and verified with jsonwebtoken, the library CodeStream's own TokenHandler uses: its "jwt expired" is the
 * message the contract maps to AUTH-1005, and its synchronous HMAC costs microseconds where WebCrypto's job
 * round trip cost a tenth of a connect flow's CPU (issue 14 profile).
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { decodeJwt } from 'jose/jwt/decode';
import { csError } from './cs-errors.js';

export const CONNECT_LIFETIME_S = 600;
export const SIGNUP_LIFETIME_S = 120;

export interface TokenKey {
  secret: string;
  now: () => number;
}

// One key object per secret: given a string, jsonwebtoken first tries it as a PEM private key, and that failed
// parse cost ~0.8 ms per token (issue 14 profile); the lab has one auth secret, so this holds a key or two.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (key === undefined) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/** Mints a token of `type`; `expiresInMs` only ever shortens the lifetime (contract §1.2). */
export async function signToken(
  type: string,
  fields: Record<string, unknown>,
  { secret, now }: TokenKey,
  lifetimeS: number | undefined,
  expiresInMs?: number,
): Promise<string> {
  // One reading of the clock: two could straddle a second and make exp − iat one more than the lifetime.
  const at = now();
  const iat = Math.floor(at / 1000);
  const payload: Record<string, unknown> = { ...fields, iss: 'CodeStream', alg: 'HS256', type, iat };
  if (lifetimeS !== undefined) {
    const ms = expiresInMs !== undefined && expiresInMs < lifetimeS * 1000 ? expiresInMs : lifetimeS * 1000;
    payload.exp = Math.floor((at + ms) / 1000);
  }
  return jwt.sign(payload, keyOf(secret), { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } });
}

/** Decodes without verifying, as provider-auth does (contract §1.3 step 4); null for garbage. */
export function decodeToken(token: string): Record<string, unknown> | null {
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

/** Verifies signature and exp: "jwt expired" → AUTH-1005, anything else → AUTH-1002 (contract §2.3). */
export async function verifyToken(token: string, { secret, now }: TokenKey): Promise<Record<string, unknown>> {
  try {
    const payload = jwt.verify(token, keyOf(secret), {
      algorithms: ['HS256'],
      clockTimestamp: Math.floor(now() / 1000),
    });
    if (typeof payload === 'string') throw new Error('the payload is not a JSON object');
    return payload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw csError('AUTH-1005', 'jwt expired');
    throw csError('AUTH-1002', 'invalid signature or malformed token');
  }
}

/** pauth JWTs (contract §2.1): HS256, iss "CodeStream", alg and type in the payload, exp from the lifetime. */
import { SignJWT } from 'jose/jwt/sign';
import { decodeJwt } from 'jose/jwt/decode';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';
import type { JWTPayload } from 'jose';
import { csError } from './cs-errors.js';

export const CONNECT_LIFETIME_S = 600;
export const SIGNUP_LIFETIME_S = 120;

export interface TokenKey {
  secret: string;
  now: () => number;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

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
  const payload: JWTPayload = { ...fields, iss: 'CodeStream', alg: 'HS256', type };
  const jwt = new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(iat);
  if (lifetimeS !== undefined) {
    const ms = expiresInMs !== undefined && expiresInMs < lifetimeS * 1000 ? expiresInMs : lifetimeS * 1000;
    jwt.setExpirationTime(Math.floor((at + ms) / 1000));
  }
  return jwt.sign(keyOf(secret));
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
    const { payload } = await jwtVerify(token, keyOf(secret), { algorithms: ['HS256'], currentDate: new Date(now()) });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw csError('AUTH-1005', 'jwt expired');
    throw csError('AUTH-1002', 'invalid signature or malformed token');
  }
}

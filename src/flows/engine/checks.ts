/** Checks shared by the flows: JWT claims, query order and encoding, UUIDs. */
import { decodeJwt } from 'jose/jwt/decode';
import { CONNECT_PAUTH_LIFETIME_S } from './contract.js';
import type { StepContext } from './runner.js';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Decodes a JWT for checks, failing the step (not throwing a TypeError) when it cannot be read. */
export function claimsOf(step: StepContext, name: string, jwt: string): Record<string, unknown> {
  try {
    return decodeJwt(jwt);
  } catch {
    step.check(`${name} is a JWT`, false, 'a decodable JWT', jwt.slice(0, 20));
    return {};
  }
}

/**
 * A connect's pauth (contract §2.1): type pauth, issuer CodeStream, the agent's user and team, a lifetime of
 * CONNECT_PAUTH_LIFETIME_S, and sm: true when the agent asked with sharing (§6.1). Returns the step's summary.
 */
export function checkConnectPauth(
  s: StepContext,
  pauth: string,
  expected: { userId: string | undefined; teamId: string; sharing?: boolean },
): string {
  const claims = claimsOf(s, 'pauth', pauth);
  s.expectEqual('pauth type', 'pauth', claims.type);
  s.expectEqual('pauth iss', 'CodeStream', claims.iss);
  s.expectEqual('pauth userId', expected.userId, claims.userId);
  s.expectEqual('pauth teamId', expected.teamId, claims.teamId);
  s.expectEqual('pauth lifetime (exp − iat, s)', CONNECT_PAUTH_LIFETIME_S, Number(claims.exp) - Number(claims.iat));
  if (expected.sharing === true) s.expectEqual('pauth sm (sharing)', true, claims.sm);
  return `type pauth, ${CONNECT_PAUTH_LIFETIME_S} s${expected.sharing === true ? ', sharing' : ''}`;
}

/** The raw query's key order, and whether each value is exactly encodeURIComponent of itself (contract §3.1). */
export function queryShape(rawQuery: string): { keys: string[]; badlyEncoded: string[]; values: Map<string, string> } {
  const keys: string[] = [];
  const badlyEncoded: string[] = [];
  const values = new Map<string, string>();
  for (const pair of rawQuery.split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    keys.push(key);
    values.set(key, value);
    if (encodeURIComponent(value) !== raw) badlyEncoded.push(key);
  }
  return { keys, badlyEncoded, values };
}

/** The raw query of a URL: after "?", up to a "#" (a fragment is never part of the query). */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
}

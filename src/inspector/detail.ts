/** What the page shows of one hop: request, response, the `state` decoded, every JWT decoded, its checks. */
import { decodeJwt } from 'jose/jwt/decode';
import { decodeProtectedHeader } from 'jose/decode/protected_header';
import { decodeState } from '../state.js';
import type { SecretRegistry } from '../util/secrets.js';
import { claimsOf, locationParams, type Hop, type HopCheck } from './hop.js';

export interface DecodedState {
  raw: string;
  /** Segment 0 (contract §2.2) and the lab environment that owns it. */
  callbackEnvironment: string;
  environment: string | null;
  host: string | null;
  pauth: Record<string, unknown> | null;
  issuedAt: string | null;
  expiresAt: string | null;
  hasOasec: boolean;
}

export interface DecodedJwt {
  /** Where it was found: query, body, location, header name, response. */
  where: string;
  token: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface HopRow {
  n: number;
  from: string;
  to: string;
  method: string;
  url: string;
  status: number;
  ms: number;
  passed: number;
  failed: number;
}

export interface HopDetail extends HopRow {
  requestHeaders: Record<string, string>;
  query: Record<string, string>;
  requestBody: string;
  responseHeaders: Record<string, string>;
  responseBody: string;
  location: string | null;
  truncated: boolean;
  state: DecodedState | null;
  jwts: DecodedJwt[];
  checks: HopCheck[];
}

const JWT_IN_TEXT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g;

export function hopRow(hop: Hop, n: number, secrets: SecretRegistry): HopRow {
  return secrets.redactDeep({
    n,
    from: hop.from,
    to: hop.to,
    method: hop.method,
    url: hop.url,
    status: hop.status,
    ms: hop.ms,
    passed: hop.checks.filter((c) => c.ok).length,
    failed: hop.checks.filter((c) => !c.ok).length,
  });
}

export function hopDetail(
  hop: Hop,
  n: number,
  secrets: SecretRegistry,
  envOfCallback: (callbackEnvironment: string) => string | undefined,
): HopDetail {
  const loc = locationParams(hop);
  const rawState = hop.query.state ?? hop.body.state ?? loc.state;
  const detail: HopDetail = {
    ...hopRow(hop, n, { ...secrets, redactDeep: (v) => v }),
    requestHeaders: hop.requestHeaders,
    query: hop.query,
    requestBody: hop.requestBody,
    responseHeaders: hop.responseHeaders,
    responseBody: hop.responseBody,
    location: hop.location ?? null,
    truncated: hop.truncated,
    state: rawState === undefined ? null : stateOf(rawState, envOfCallback),
    jwts: jwtsOf(hop),
    checks: hop.checks,
  };
  return secrets.redactDeep(detail);
}

function stateOf(raw: string, envOfCallback: (name: string) => string | undefined): DecodedState | null {
  try {
    const parts = decodeState(raw);
    const claims = claimsOf(parts.jwt);
    const time = (key: string): string | null => {
      const seconds = claims?.[key];
      return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
    };
    return {
      raw,
      callbackEnvironment: parts.env,
      environment: envOfCallback(parts.env) ?? null,
      host: parts.host ?? null,
      pauth: claims ?? null,
      issuedAt: time('iat'),
      expiresAt: time('exp'),
      hasOasec: parts.oasec !== undefined,
    };
  } catch {
    return null;
  }
}

function jwtsOf(hop: Hop): DecodedJwt[] {
  const places: Array<[string, string]> = [
    ['url', hop.url],
    ['location', hop.location ?? ''],
    ['request body', hop.requestBody],
    ['response body', hop.responseBody],
    ...Object.entries(hop.requestHeaders).map(([k, v]): [string, string] => [`request header ${k}`, v]),
    ...Object.entries(hop.responseHeaders).map(([k, v]): [string, string] => [`response header ${k}`, v]),
  ];
  const seen = new Set<string>();
  const out: DecodedJwt[] = [];
  for (const [where, text] of places) {
    for (const [token] of text.matchAll(JWT_IN_TEXT)) {
      if (seen.has(token)) continue;
      seen.add(token);
      try {
        out.push({
          where,
          token,
          header: decodeProtectedHeader(token),
          claims: decodeJwt(token),
        });
      } catch {
        // looks like a JWT but is not one: nothing to decode
      }
    }
  }
  return out;
}

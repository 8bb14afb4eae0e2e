/**
 * OAuth 1.0a request signing with RSA-SHA1 (RFC 5849 §3.4), shared by the mock API (the client, as
 * CodeStream's jiraserver module) and the mock provider (the server, as Jira). Pure but for the crypto.
 */
import { createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** RFC 5849 §3.6: RFC 3986 unreserved characters stay, everything else is %XX in upper case. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** RFC 5849 §3.4.1.2: scheme and host lower case, default ports dropped, no query or fragment. */
export function baseStringUri(url: string): string {
  // WHATWG URL already lower-cases scheme and host and drops default ports.
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * RFC 5849 §3.4.1: METHOD & encoded base URI & encoded normalized parameters, where the parameters are the
 * query's, the form body's and the oauth_* protocol parameters (never oauth_signature), sorted by name then value.
 */
export function signatureBaseString(
  method: string,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  const query = [...new URL(url).searchParams];
  const pairs = [...query, ...params]
    .filter(([k]) => k !== 'oauth_signature')
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)));
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  return [method.toUpperCase(), percentEncode(baseStringUri(url)), percentEncode(normalized)].join('&');
}

/** The protocol parameters of one signed request, in the order the header lists them. */
export interface OAuth1Request {
  method: string;
  url: string;
  consumerKey: string;
  privateKeyPem: string;
  /** oauth_token: the request token when asking for the access token. */
  token?: string;
  callback?: string;
  verifier?: string;
  /** Injected so tests get stable signatures. */
  nonce?: string;
  timestamp?: number;
  /** Form body parameters, which are part of the signature base (RFC 5849 §3.4.1.3.1). */
  body?: ReadonlyArray<readonly [string, string]>;
}

/** Signs a request and returns its Authorization header (RFC 5849 §3.5.1). */
export function signRequest(req: OAuth1Request): { header: string; params: [string, string][]; baseString: string } {
  const params: [string, string][] = [];
  if (req.callback !== undefined) params.push(['oauth_callback', req.callback]);
  params.push(
    ['oauth_consumer_key', req.consumerKey],
    ['oauth_nonce', req.nonce ?? randomBytes(16).toString('hex')],
    ['oauth_signature_method', 'RSA-SHA1'],
    ['oauth_timestamp', String(req.timestamp ?? Math.floor(Date.now() / 1000))],
  );
  if (req.token !== undefined) params.push(['oauth_token', req.token]);
  if (req.verifier !== undefined) params.push(['oauth_verifier', req.verifier]);
  params.push(['oauth_version', '1.0']);
  const baseString = signatureBaseString(req.method, req.url, [...params, ...(req.body ?? [])]);
  const signature = sign('RSA-SHA1', Buffer.from(baseString), req.privateKeyPem).toString('base64');
  params.push(['oauth_signature', signature]);
  const header = `OAuth ${params.map(([k, v]) => `${percentEncode(k)}="${percentEncode(v)}"`).join(', ')}`;
  return { header, params, baseString };
}

/** Reads the oauth_* parameters of an `Authorization: OAuth …` header; undefined when it is not one. */
export function parseAuthorizationHeader(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined || !/^OAuth\s/i.test(header)) return undefined;
  const params = new Map<string, string>();
  for (const match of header.slice(6).matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)) {
    const [, key = '', value = ''] = match;
    try {
      params.set(decodeURIComponent(key), decodeURIComponent(value));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Checks an RSA-SHA1 signature against the consumer's public key; false for any malformed input. */
export function verifySignature(baseString: string, signatureB64: string, publicKey: KeyObject | string): boolean {
  try {
    return verify('RSA-SHA1', Buffer.from(baseString), publicKey, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

/** The public half of a PEM private key, as the consumer registers it at the provider. */
export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

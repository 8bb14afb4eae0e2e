/** The API's server-to-server code exchange in the profile's format (contract §3.1). */
import type { ProviderProfile } from '../profiles.js';

export interface ExchangeInput {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  state: string;
}

/** providerInfo fields of one token (contract §3.1 "Response normalisation"). */
export interface TokenData {
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: number;
  apiKey?: string;
  data?: Record<string, unknown>;
}

export interface ExchangeRequest {
  url: string;
  format: ProviderProfile['token']['format'];
  parameters: [string, string][];
  headers: Record<string, string>;
}

/** Ordered exchange parameters: redirect_uri, grant_type?, client auth, code, state, extras. */
export function exchangeRequest(profile: ProviderProfile, input: ExchangeInput): ExchangeRequest {
  const t = profile.token;
  const parameters: [string, string][] = [['redirect_uri', input.redirectUri]];
  if (t.sendGrantType) parameters.push(['grant_type', 'authorization_code']);
  const headers: Record<string, string> = {};
  if (t.clientAuth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${input.clientId}:${input.clientSecret}`).toString('base64')}`;
  } else {
    parameters.push(['client_id', input.clientId], [t.secretParameter, input.clientSecret]);
  }
  parameters.push([t.codeParameter, input.code], ['state', input.state], ...Object.entries(t.extraParameters));
  return { url: input.tokenUrl, format: t.format, parameters, headers };
}

/** Sends the exchange; throws an Error whose message names the failure (the caller maps it to RAPI-1010). */
export async function exchangeCode(
  profile: ProviderProfile,
  input: ExchangeInput,
  fetchFn: typeof fetch,
  { now, timeoutMs }: { now: () => number; timeoutMs: number },
): Promise<{ tokenData: TokenData; request: ExchangeRequest }> {
  const request = exchangeRequest(profile, input);
  const response = await fetchFn(...toFetchArgs(request, AbortSignal.timeout(timeoutMs)));
  let body: Record<string, unknown>;
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    throw new Error(`token endpoint answered ${response.status} with a body that is not JSON`);
  }
  if (body === null || typeof body !== 'object') throw new Error('token endpoint answered with a JSON value that is not an object');
  if (body.error !== undefined) throw new Error(`token endpoint answered error "${String(body.error)}"`);
  return { tokenData: normalizeToken(body, profile, now), request };
}

/** Maps an exchange request onto fetch arguments for its format. */
export function toFetchArgs(request: ExchangeRequest, signal: AbortSignal): [string, RequestInit] {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  const init: RequestInit = { method: 'POST', headers, signal };
  switch (request.format) {
    case 'query':
      return [`${request.url}?${new URLSearchParams(request.parameters).toString()}`, init];
    case 'formQuery':
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return [request.url, { ...init, body: new URLSearchParams(request.parameters).toString() }];
    case 'json':
      headers['content-type'] = 'application/json';
      return [request.url, { ...init, body: JSON.stringify(Object.fromEntries(request.parameters)) }];
    case 'form': {
      const form = new FormData();
      for (const [k, v] of request.parameters) form.append(k, v);
      return [request.url, { ...init, body: form }];
    }
  }
}

const NOT_DATA = new Set(['access_token', 'refresh_token', 'state', 'code', '_mockToken', 'apiKey', 'expires_in']);

export function normalizeToken(body: Record<string, unknown>, profile: ProviderProfile, now: () => number): TokenData {
  const out: TokenData = {};
  if (typeof body.access_token === 'string' && body.access_token !== '') out.accessToken = body.access_token;
  if (typeof body.refresh_token === 'string') out.refreshToken = body.refresh_token;
  if (typeof body.apiKey === 'string') out.apiKey = body.apiKey;
  const expiresIn = Number(body.expires_in ?? profile.token.expiresIn);
  if (Number.isFinite(expiresIn) && expiresIn > 0) out.expiresAt = now() + (expiresIn - 5) * 1000;
  const data = Object.fromEntries(Object.entries(body).filter(([k]) => !NOT_DATA.has(k)));
  if (Object.keys(data).length > 0) out.data = data;
  return out;
}

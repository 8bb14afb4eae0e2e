/**
 * The API's server-to-server token calls (contract §3.1): the code exchange and the refresh exchange in the
 * profile's format and client authentication, and how the answer is read, reshaped and normalised.
 */
import type { ProviderProfile, TokenProfile } from '../../profiles/profile.js';
import { isJsonObject, parseJson } from '../../util/json.js';
import { reshapeAnswer } from './reshape.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface CallInput {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface ExchangeInput extends CallInput {
  code: string;
  state: string;
}

export interface RefreshInput extends CallInput {
  refreshToken: string;
}

/** providerInfo fields of one token (contract §3.1 "Response normalisation", §4.1). */
export interface TokenData {
  accessToken?: string;
  refreshToken?: string;
  expiresAt?: number;
  apiKey?: string;
  oauthTokenSecret?: string;
  data?: Record<string, unknown>;
}

export interface ExchangeRequest {
  url: string;
  format: TokenProfile['format'];
  parameters: [string, string][];
  headers: Record<string, string>;
}

export interface ExchangeResult {
  tokenData: TokenData;
  /** The server (bot) token of a reshaped answer (Slack, contract §3.2). */
  serverToken?: TokenData;
  request: ExchangeRequest;
}

interface CallOptions {
  now: () => number;
  timeoutMs: number;
}

/** The token block of a profile, or an Error naming why there is no exchange. */
export function tokenBlockOf(profile: ProviderProfile): TokenProfile {
  if (profile.token === undefined) throw new Error(`provider "${profile.id}" exchanges no code`);
  return profile.token;
}

/**
 * Ordered parameters (contract §3.1): redirect_uri, grant_type unless noGrantType, client authentication, the
 * code and state (or the refresh token), then the extras with Object.assign semantics (an override keeps its
 * place).
 */
export function exchangeRequest(t: TokenProfile, input: ExchangeInput | RefreshInput): ExchangeRequest {
  const refreshing = 'refreshToken' in input;
  const params = new Map<string, string>([['redirect_uri', input.redirectUri]]);
  if (t.sendGrantType) params.set('grant_type', refreshing ? 'refresh_token' : t.grantType);
  const headers: Record<string, string> = {};
  if (t.clientAuth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${input.clientId}:${input.clientSecret}`).toString('base64')}`;
  } else if (t.clientAuth === 'assertion') {
    params
      .set('client_id', input.clientId)
      .set('client_assertion', input.clientSecret)
      .set('client_assertion_type', JWT_BEARER_ASSERTION);
  } else {
    params.set('client_id', input.clientId).set(t.secretParameter, input.clientSecret);
  }
  if (refreshing) params.set(t.refresh.parameter, input.refreshToken);
  else params.set(t.codeParameter, input.code).set('state', input.state);
  for (const [k, v] of Object.entries(t.extraParameters)) params.set(k, v);
  if (refreshing) for (const [k, v] of Object.entries(t.refresh.extraParameters)) params.set(k, v);
  return { url: input.tokenUrl, format: t.format, parameters: [...params], headers };
}

/** Exchanges a code; throws an Error whose message names the failure (the caller maps it to RAPI-1010). */
export function exchangeCode(
  profile: ProviderProfile,
  input: ExchangeInput,
  fetchFn: typeof fetch,
  opts: CallOptions,
): Promise<ExchangeResult> {
  return call(tokenBlockOf(profile), input, fetchFn, opts);
}

/** Exchanges a refresh token (contract §1.8); the caller maps failures to RAPI-1009. */
export function exchangeRefreshToken(
  profile: ProviderProfile,
  input: RefreshInput,
  fetchFn: typeof fetch,
  opts: CallOptions,
): Promise<ExchangeResult> {
  return call(tokenBlockOf(profile), input, fetchFn, opts);
}

async function call(
  t: TokenProfile,
  input: ExchangeInput | RefreshInput,
  fetchFn: typeof fetch,
  { now, timeoutMs }: CallOptions,
): Promise<ExchangeResult> {
  const request = exchangeRequest(t, input);
  const response = await fetchFn(...toFetchArgs(request, AbortSignal.timeout(timeoutMs)));
  const body = await readAnswer(response);
  // GitHub answers errors with 200 and Slack with {ok:false, error}: the error field decides, not the status.
  if (body.error !== undefined)
    throw new Error(`token endpoint answered ${response.status} with error "${errorText(body.error)}"`);
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  const { user, server } = reshapeAnswer(t.reshape, body);
  return {
    tokenData: normalizeToken(user, t, now),
    ...(server === undefined ? {} : { serverToken: normalizeToken(server, t, now) }),
    request,
  };
}

/** Reads a JSON or form-encoded answer (GitHub's default) into an object; anything else is an Error. */
export async function readAnswer(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  const type = (response.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  const body = parseJson(text);
  if (body === undefined)
    throw new Error(`token endpoint answered ${response.status} with a body that is neither JSON nor a form`);
  if (!isJsonObject(body)) throw new Error('token endpoint answered with a JSON value that is not an object');
  return body;
}

// The provider's error field as it reads in a message: a string as it is, anything else as JSON.
function errorText(error: unknown): string {
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Maps an exchange request onto fetch arguments for its format. */
export function toFetchArgs(request: ExchangeRequest, signal: AbortSignal): [string, RequestInit] {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  const init: RequestInit = { method: 'POST', headers, signal };
  switch (request.format) {
    case 'query':
      return [`${request.url}?${request.parameters.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`, init];
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

// Contract §3.1: these never go into `data`; everything else does, merged with the answer's own `data`.
const NOT_DATA = new Set(['access_token', 'refresh_token', 'state', 'code', '_mockToken']);

/** accessToken, refreshToken, apiKey, expiresAt = now + (expires_in − 5) s (or the profile's lifetime), data. */
export function normalizeToken(
  body: Record<string, unknown>,
  t: Pick<TokenProfile, 'expiresIn'> | undefined,
  now: () => number,
): TokenData {
  const out: TokenData = {};
  if (typeof body.access_token === 'string' && body.access_token !== '') out.accessToken = body.access_token;
  if (typeof body.refresh_token === 'string' && body.refresh_token !== '') out.refreshToken = body.refresh_token;
  if (typeof body.apiKey === 'string') out.apiKey = body.apiKey;
  const expiresIn = Number(body.expires_in ?? t?.expiresIn);
  if (Number.isFinite(expiresIn) && expiresIn > 0) out.expiresAt = now() + (expiresIn - 5) * 1000;
  const inner = isJsonObject(body.data) ? body.data : {};
  const data = Object.fromEntries(
    Object.entries({ ...body, data: undefined, ...inner }).filter(([k, v]) => !NOT_DATA.has(k) && v !== undefined),
  );
  out.data = data;
  return out;
}

/**
 * The API as an OAuth 1.0a consumer (jiraserver): the request-token call and authorize redirect of
 * contract §1.3 step 6, and the access-token call of §1.5 step 7, signed RSA-SHA1 with the host's oauthData.
 */
import type { Response } from 'express';
import { signRequest } from '../../protocol/oauth1-signature.js';
import type { OAuth1Config } from '../../profiles/parts.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { encodeState } from '../../state.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import type { TokenData } from './exchange.js';
import { signToken } from '../pauth.js';
import type { OAuth1Consumer, ProviderClient } from './provider-client.js';

interface Oauth1Call {
  ctx: ApiContext;
  o: OAuth1Config;
  client: ProviderClient & { oauth1: OAuth1Consumer };
}

/** Gets a request token, then redirects to authorize with the state inside oauth_callback (contract §2.2). */
export async function startOAuth1(
  ctx: ApiContext,
  res: Response,
  profile: ProviderProfile,
  client: ProviderClient,
  code: string,
): Promise<void> {
  const call = callOf(ctx, profile, client);
  let answer: URLSearchParams;
  try {
    answer = await signedPost(call, call.o.requestTokenPath, { callback: 'oob' });
  } catch (err) {
    throw csError('AUTH-1002', { reason: err instanceof Error ? err.message : String(err) });
  }
  const token = answer.get('oauth_token');
  const secret = answer.get('oauth_token_secret');
  if (!token || !secret)
    throw csError('AUTH-1002', { reason: 'the request-token answer has no oauth_token or oauth_token_secret' });
  // An oasec JWT has no expiry (contract §2.1); the host is special-encoded because proxies may decode %2F.
  const oasec = await signToken('oasec', { sec: secret }, { secret: ctx.config.secrets.auth, now: ctx.now }, undefined);
  const state = encodeState(
    { env: String(ctx.env.callbackEnvironment), jwt: code, host: client.host ?? '', oasec },
    { encodeHost: true },
  );
  const callback = `${ctx.publicApiUrl}/no-auth/provider-token/${profile.id}?state=${state}`;
  const query = `oauth_token=${encodeURIComponent(token)}&oauth_callback=${encodeURIComponent(callback)}`;
  res.redirect(302, `${client.baseUrl}${profile.authorize.path}?${query}`);
}

/** Exchanges the authorized request token; stores the request-token secret as the real server does (contract §4.1). */
export async function exchangeOAuth1(
  ctx: ApiContext,
  profile: ProviderProfile,
  client: ProviderClient,
  oauthToken: string,
  secret: string,
): Promise<TokenData> {
  const call = callOf(ctx, profile, client);
  let answer: URLSearchParams;
  try {
    // note: no oauth_verifier: provider-token drops it (contract §1.5 step 2).
    answer = await signedPost(call, call.o.accessTokenPath, { token: oauthToken });
  } catch (err) {
    throw csError('RAPI-1010', err instanceof Error ? err.message : String(err));
  }
  const accessToken = answer.get('oauth_token');
  if (!accessToken) throw csError('RAPI-1010', 'token not returned from provider');
  return { accessToken, oauthTokenSecret: secret };
}

function callOf(ctx: ApiContext, profile: ProviderProfile, client: ProviderClient): Oauth1Call {
  const o = profile.oauth1;
  const consumer = client.oauth1;
  if (o === undefined || consumer === undefined) throw csError('PRVD-1009', 'no OAuth 1.0a consumer for this host');
  return { ctx, o, client: { ...client, oauth1: consumer } };
}

async function signedPost(
  call: Oauth1Call,
  path: string,
  extra: { callback?: string; token?: string },
): Promise<URLSearchParams> {
  const url = `${call.client.baseUrl}${path}`;
  const { header } = signRequest({
    method: 'POST',
    url,
    consumerKey: call.client.oauth1.consumerKey,
    privateKeyPem: call.client.oauth1.privateKey,
    timestamp: Math.floor(call.ctx.now() / 1000),
    ...extra,
  });
  const response = await call.ctx.fetch(url, {
    method: 'POST',
    headers: { authorization: header, accept: 'application/x-www-form-urlencoded' },
    signal: AbortSignal.timeout(call.ctx.exchangeTimeoutMs),
  });
  const text = await response.text();
  const fields = new URLSearchParams(text);
  if (!response.ok) {
    const problem = fields.has('oauth_problem') ? ` (${fields.get('oauth_problem') ?? ''})` : '';
    throw new Error(`${path} answered ${response.status}${problem}`);
  }
  return fields;
}

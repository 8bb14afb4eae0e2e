/**
 * GET /web/provider-auth/:provider in sign-up mode (contract §1.4): an anonymous pauth carrying the mapped
 * query parameters, 2 minutes, in the state `<env>!<jwt>`; then the provider's authorize redirect, on
 * hostUrl when one was given. routes/provider-auth.ts dispatches here when the request has no `code`, and
 * turns any throw into 302 /web/error?code=…&provider=….
 */
import { createHmac } from 'node:crypto';
import { encodeState } from '../../state.js';
import { buildAuthorizeUrl } from '../authorize-url.js';
import { csError } from '../cs-errors.js';
import { optionalQueryString, queryString } from '../http.js';
import { servedHostUrl } from '../outbound/provider-client.js';
import { SIGNUP_LIFETIME_S, signToken } from '../pauth.js';
import type { StartHandler } from './provider-auth.js';

/** Contract §1.4 table: query parameter → pauth payload key. */
export const SIGNUP_PAYLOAD_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['teamId', 'teamId'],
  ['signupToken', 'st'],
  ['access', 'access'],
  ['inviteCode', 'ic'],
  ['noSignup', 'nosu'],
  ['tenantId', 'tid'],
  ['hostUrl', 'hu'],
  ['repoInfo', 'ri'],
  ['machineId', 'mi'],
  ['nrAccountId', 'nri'],
];

export const signupStart: StartHandler = async (ctx, req, res, provider) => {
  const profile = ctx.profiles.get(provider);
  const client = ctx.clients[provider];
  const providerUrl = ctx.providerUrls.get(provider);
  if (!profile || !client || !providerUrl) throw csError('PRVD-1009');
  const fields: Record<string, unknown> = { userId: 'anon' };
  for (const [param, key] of SIGNUP_PAYLOAD_KEYS) {
    // A repeated signupToken would otherwise vanish from the state, and the poller would wait for nothing.
    const value = optionalQueryString(req, param);
    if (value !== undefined) fields[key] = decoded(value, param);
  }
  const expiresIn = Number(queryString(req, 'expiresIn'));
  const jwt = await signToken(
    'pauth',
    fields,
    { secret: ctx.config.secrets.auth, now: ctx.now },
    SIGNUP_LIFETIME_S,
    Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
  );
  // Only the legacy web-login completion page reads this cookie; it is set as the real route sets it.
  res.cookie(`t-${provider}`, signedCookie(jwt, ctx.config.secrets.cookie), {
    secure: true,
    httpOnly: true,
    path: '/',
  });
  const state = encodeState({ env: String(ctx.env.callbackEnvironment), jwt });
  if (queryString(req, '_returnState') !== undefined) return void res.json({ state });
  const hostUrl = typeof fields.hu === 'string' && fields.hu !== '' ? fields.hu : undefined;
  // Contract §3.2: Okta's endpoints live on the customer's host, so sign-in without one cannot start.
  if (profile.identity?.base === 'hostUrl' && hostUrl === undefined) throw csError('PRVD-1008', 'hostUrl');
  const redirectUri = `${ctx.authOrigin}/provider-token/${provider}`;
  // Contract §3.1: the authorize host is the enterprise host, or hostUrl, or the provider's own.
  res.redirect(
    302,
    buildAuthorizeUrl(profile, {
      providerUrl: hostUrl === undefined ? providerUrl : servedHostUrl(ctx, provider, hostUrl),
      clientId: client.clientId,
      redirectUri,
      state,
    }),
  );
};

// Contract §1.4: every value is URI-decoded once more after the query parser; a malformed escape is bad input.
function decoded(value: string, param: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw csError('RAPI-1012', param);
  }
}

// The cookie-signature format express uses for signed cookies: "s:<value>.<base64 HMAC-SHA256 without =>".
function signedCookie(value: string, secret: string): string {
  return `s:${value}.${createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '')}`;
}

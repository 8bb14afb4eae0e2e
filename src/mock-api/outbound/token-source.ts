/**
 * Where a connect callback's token comes from, by the profile's kind (contract §1.5 steps 3 and 7): the
 * query of a fragment provider's second hop, the OAuth 1.0a access-token call, or the code exchange on the
 * host the state names.
 */
import type { Request } from 'express';
import type { ProviderProfile } from '../../profiles/profile.js';
import { decodeState } from '../../state.js';
import { defined } from '../../util/defined.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import { normalizeToken, type TokenData } from './exchange.js';
import { queryString } from '../http.js';
import { exchangeOAuth1 } from './oauth1-consumer.js';
import { decodeToken } from '../pauth.js';
import { resolveClient } from './provider-client.js';
import type { CallbackInfo } from '../routes/provider-token.js';
import { exchangeWith } from '../save-token.js';

export interface ConnectToken {
  tokenData: TokenData;
  serverToken?: TokenData;
  /** The enterprise host of the state (segment 2, special-decoded), lowercased. */
  host?: string;
}

// Contract §1.5 step 2: the query parameters provider-token keeps; everything else is dropped.
const KEPT = ['token', 'token_type', 'expires_in', 'scope'] as const;

export async function connectTokenFor(
  ctx: ApiContext,
  profile: ProviderProfile,
  info: CallbackInfo,
  req: Request,
): Promise<ConnectToken> {
  const parts = decodeState(info.state, { extraSegments: 'ignore' });
  // The client is looked up again from the state's host, so a tampered host is PRVD-1003, never a call elsewhere.
  const client = resolveClient(ctx, profile, info.payload.teamId, parts.host);
  const host = client.host;
  if (profile.delivery.mode === 'fragment') {
    const body: Record<string, unknown> = {};
    for (const key of KEPT) {
      const value = queryString(req, key);
      if (value !== undefined) body[key === 'token' ? 'access_token' : key] = value;
    }
    // Trello's apiKey comes from the CodeStream client config (contract §8: "Trello adds apiKey and data: {apiKey}").
    for (const field of profile.delivery.addFromClient)
      if (client.extra[field] !== undefined) body[field] = client.extra[field];
    return { tokenData: normalizeToken(body, undefined, ctx.now), ...defined({ host }) };
  }
  if (profile.oauth1 !== undefined) {
    // Contract §2.3 step 6: segment 3 must be an oasec JWT; its `sec` pairs with the oauth_token query parameter.
    const oasec = parts.oasec === undefined ? null : decodeToken(parts.oasec);
    if (oasec?.type !== 'oasec' || typeof oasec.sec !== 'string')
      throw csError('AUTH-1002', 'no oasec token in the state');
    const oauthToken = queryString(req, 'oauth_token');
    if (!oauthToken) throw csError('RAPI-1001', 'oauth_token');
    const tokenData = await exchangeOAuth1(ctx, profile, client, oauthToken, oasec.sec);
    return { tokenData, ...defined({ host }) };
  }
  const result = await exchangeWith(ctx, profile, info, client);
  return { tokenData: result.tokenData, ...defined({ serverToken: result.serverToken, host }) };
}

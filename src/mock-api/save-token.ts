/** Exchange, store and broadcast of a connect callback (contract §1.5 steps 7, 9, 10 and §4). */
import type { Response } from 'express';
import type { ProviderProfile } from '../profiles.js';
import type { ApiContext } from './context.js';
import { csError } from './cs-errors.js';
import { exchangeCode, type TokenData } from './exchange.js';
import { publishUser } from './http.js';
import type { CallbackInfo } from './routes/provider-token.js';
import type { UserDoc } from './store.js';

/** Exchanges the callback's code; any failure is RAPI-1010 with the reason in info (contract §1.5 step 7). */
export async function exchangeForCallback(ctx: ApiContext, profile: ProviderProfile, info: CallbackInfo): Promise<TokenData> {
  const client = ctx.clients[info.provider];
  const providerUrl = ctx.providerUrls.get(info.provider);
  if (!client || !providerUrl) throw csError('PRVD-1009');
  try {
    const { tokenData } = await exchangeCode(
      profile,
      {
        tokenUrl: `${providerUrl}${profile.token.path}`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        // Contract §7: the exchange always rebuilds redirect_uri from authOrigin.
        redirectUri: `${ctx.exchangeAuthOrigin ?? ctx.authOrigin}/provider-token/${info.provider}`,
        code: info.code,
        state: info.state,
      },
      ctx.fetch,
      { now: ctx.now, timeoutMs: ctx.exchangeTimeoutMs },
    );
    return tokenData;
  } catch (err) {
    throw csError('RAPI-1010', err instanceof Error ? err.message : String(err));
  }
}

/** The providerInfo key a connect writes: team-less when the user already has one from SSO (contract §4.1). */
export function providerInfoKey(user: UserDoc, teamId: string, provider: string): string {
  const teamless = user.providerInfo[provider] as { accessToken?: unknown } | undefined;
  return teamless?.accessToken ? `providerInfo.${provider}` : `providerInfo.${teamId}.${provider}`;
}

/** Writes one $set key per token field, unsets tokenError, and publishes the directive on user-<id>. */
export function saveConnectToken(ctx: ApiContext, res: Response, input: { user: UserDoc; teamId: string; provider: string; tokenData: TokenData; keySuffix?: string }): string {
  if (!input.tokenData.accessToken) throw csError('RAPI-1010', 'token not returned from provider');
  const key = `${providerInfoKey(input.user, input.teamId, input.provider)}${input.keySuffix ?? ''}`;
  const $set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input.tokenData)) if (value !== undefined) $set[`${key}.${field}`] = value;
  const directive = ctx.store.updateUser(input.user.id, { $set, $unset: { [`${key}.tokenError`]: true } });
  publishUser(ctx, res, directive);
  return key;
}

/** The seed's marketing page by default, /web/provider-connected with --success-page api. */
export function successLocation(ctx: ApiContext, profile: ProviderProfile): string {
  if (ctx.successPage === 'api') return `/web/provider-connected/${profile.id}`;
  return `${ctx.marketingSiteUrl}/auth-complete/${profile.authCompletePage ?? profile.id}`;
}

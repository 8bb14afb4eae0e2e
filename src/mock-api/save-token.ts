/** Exchange, store and broadcast of a connect callback (contract §1.5 steps 7, 9, 10 and §4). */
import type { Response } from 'express';
import { setPath } from '../util/dotted.js';
import { defined } from '../util/defined.js';
import { isJsonObject } from '../util/json.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { starHost } from '../state.js';
import type { ApiContext } from './context.js';
import { csError } from './cs-errors.js';
import { exchangeCode, type ExchangeResult, type TokenData } from './outbound/exchange.js';
import { publishUser } from './http.js';
import { callbackUrl, resolveClient, type ProviderClient } from './outbound/provider-client.js';
import type { CallbackInfo } from './routes/provider-token.js';
import type { SharingWrite } from './outbound/sharing-call.js';
import type { UserDoc } from './store.js';

/** Exchanges the callback's code; any failure is RAPI-1010 with the reason in info (contract §1.5 step 7). */
export async function exchangeForCallback(
  ctx: ApiContext,
  profile: ProviderProfile,
  info: CallbackInfo,
): Promise<TokenData> {
  const client = resolveClient(ctx, profile, info.payload.teamId, undefined);
  return (await exchangeWith(ctx, profile, info, client)).tokenData;
}

/** The code exchange on the client's host (the enterprise host of the state, or the provider's own). */
export async function exchangeWith(
  ctx: ApiContext,
  profile: ProviderProfile,
  info: CallbackInfo,
  client: ProviderClient,
): Promise<ExchangeResult> {
  const t = profile.token;
  if (t === undefined) throw csError('RAPI-1010', `provider "${profile.id}" exchanges no code`);
  // The token endpoint's own origin where it differs: Linear's API host (useApiHostForTokenExchange, contract
  // §3.2) or a custom profile's token URL. An enterprise host serves both.
  const base = client.host === undefined ? (ctx.providerApiUrls?.get(profile.id) ?? client.baseUrl) : client.baseUrl;
  try {
    return await exchangeCode(
      profile,
      {
        tokenUrl: `${base}${t.path}`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        redirectUri: callbackUrl(ctx, profile, 'exchange'),
        code: info.code,
        state: info.state,
      },
      ctx.fetch,
      { now: ctx.now, timeoutMs: ctx.exchangeTimeoutMs },
    );
  } catch (err) {
    throw csError('RAPI-1010', err instanceof Error ? err.message : String(err));
  }
}

/** The providerInfo key a connect writes: team-less when the user already has one from SSO (contract §4.1). */
export function providerInfoKey(user: UserDoc, teamId: string, provider: string): string {
  const teamless = user.providerInfo[provider];
  return isJsonObject(teamless) && teamless.accessToken
    ? `providerInfo.${provider}`
    : `providerInfo.${teamId}.${provider}`;
}

/**
 * The suffix under the provider key (contract §4.1): `.hosts.<starred host>` for an enterprise host, then
 * `.multiple.<id>` for a sharing connect of a provider that keeps one token per workspace (Slack's team_id).
 */
export function storageSuffix(
  profile: ProviderProfile,
  input: { host?: string | undefined; sharing: boolean; tokenData: TokenData },
): string {
  let suffix = input.host === undefined ? '' : `.hosts.${starHost(input.host)}`;
  const key = profile.storage.multipleKey;
  if (input.sharing && key !== undefined) {
    const sub = input.tokenData.data?.[key];
    if (typeof sub !== 'string' || sub === '')
      throw csError('RAPI-1010', `no "${key}" in the answer to store a shared token under`);
    suffix += `.multiple.${sub}`;
  }
  return suffix;
}

/**
 * Writes one $set key per token field (plus a sharing connect's `extra` and $addToSet providerIdentities,
 * contract §4.1), unsets tokenError, and publishes the directive on user-<id>.
 */
export function saveConnectToken(
  ctx: ApiContext,
  res: Response,
  input: { user: UserDoc; teamId: string; provider: string; tokenData: TokenData; keySuffix?: string } & SharingWrite,
): string {
  if (!input.tokenData.accessToken) throw csError('RAPI-1010', 'token not returned from provider');
  const key = `${providerInfoKey(input.user, input.teamId, input.provider)}${input.keySuffix ?? ''}`;
  const $set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(input.tokenData))
    if (value !== undefined) $set[`${key}.${field}`] = value;
  if (input.extra !== undefined) $set[`${key}.extra`] = input.extra;
  const $addToSet = input.providerIdentity === undefined ? undefined : { providerIdentities: input.providerIdentity };
  const directive = ctx.store.updateUser(input.user.id, {
    $set,
    $unset: { [`${key}.tokenError`]: true },
    ...defined({ $addToSet }),
  });
  publishUser(ctx, res, directive);
  return key;
}

/**
 * saveServerToken (contract §4.1): the bot token goes to the team, under serverProviderToken, its data under
 * serverProviderData; only the data update is broadcast on team-<id>, never the token (§4.2).
 */
export function saveServerToken(
  ctx: ApiContext,
  res: Response,
  input: { teamId: string; provider: string; subId: string | undefined; serverToken: TokenData },
): void {
  const team = ctx.store.teams.get(input.teamId);
  if (!team || input.serverToken.accessToken === undefined) return;
  const sub = input.subId === undefined ? '' : `.multiple.${input.subId}`;
  const { accessToken, data, ...rest } = input.serverToken;
  setPath(team, `serverProviderToken.${input.provider}${sub}`, { accessToken, ...rest });
  const dataKey = `serverProviderData.${input.provider}${sub}`;
  setPath(team, dataKey, data ?? {});
  const requestId = String(res.getHeader('x-request-id') ?? '');
  ctx.broadcaster.publish(`team-${input.teamId}`, {
    team: { _id: input.teamId, id: input.teamId, $set: { [dataKey]: data ?? {} } },
    requestId,
  });
}

/** The seed's marketing page by default, /web/provider-connected with --success-page api. */
export function successLocation(ctx: ApiContext, profile: ProviderProfile): string {
  if (ctx.successPage === 'api') return `/web/provider-connected/${profile.id}`;
  return `${ctx.marketingSiteUrl}/auth-complete/${profile.authCompletePage ?? profile.id}`;
}

/**
 * GET /provider-refresh/:provider (contract §1.8): exchange the stored refresh token for a new access token,
 * store it under the same providerInfo key, answer {user: <directive>} and broadcast it on user-<id>. Every
 * failure after the ACL is RAPI-1009, its text in `reason` (contract §1.10); the checks run in the real server's order.
 */
import type { Router } from 'express';
import { defined } from '../../util/defined.js';
import { getPath } from '../../util/dotted.js';
import { isJsonObject } from '../../util/json.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { starHost } from '../../state.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import { exchangeRefreshToken, type TokenData } from '../outbound/exchange.js';
import { publishUser, queryString, requiredQueryString, requireUser } from '../http.js';
import { callbackUrl, resolveClient } from '../outbound/provider-client.js';
import type { UserDoc } from '../store.js';

export function registerProviderRefresh(router: Router, ctx: ApiContext): void {
  router.get('/provider-refresh/:provider', async (req, res) => {
    const user = requireUser(ctx, req);
    const teamId = requiredQueryString(req, 'teamId');
    // The ACL runs before the team lookup, so an unknown team is RAPI-1009 too (contract §1.8).
    if (!user.teamIds.includes(teamId)) throw csError('RAPI-1009', { reason: 'user must be a member of the team' });
    const profile = ctx.profiles.get(String(req.params.provider).toLowerCase());
    if (!profile) throw csError('PRVD-1000');
    const team = ctx.store.teams.get(teamId);
    if (!team || team.deactivated) throw csError('RAPI-1003', 'team');
    if (!profile.supportsRefresh || profile.token === undefined)
      throw csError('RAPI-1009', { reason: 'token refresh not supported by provider' });
    const host = queryString(req, 'host')?.toLowerCase();
    const sharing = queryString(req, 'sharing') !== undefined;
    const subId = queryString(req, 'subId');
    if (sharing && !subId) throw csError('RAPI-1001', 'subId');
    const key = refreshKey(user, profile, { teamId, host, subId: sharing ? subId : undefined });
    const refreshToken = getPath(user, `${key}.refreshToken`);
    if (typeof refreshToken !== 'string' || refreshToken === '')
      throw csError('RAPI-1009', { info: { message: 'Missing auth info' } });
    const tokenData = await refreshed(ctx, profile, teamId, host, refreshToken);
    // Contract §1.10 (provider_refresh_request.js saveToken, pinned by provider_refresh/message_test.js): one
    // key holding the whole merged provider object, plus modifiedAt, and no $unset. With sharing, the token data
    // and the old extra go under .multiple.<subId> (§1.8).
    const existing = getPath(user, key);
    const old: Record<string, unknown> = isJsonObject(existing) ? existing : {};
    const merged: Record<string, unknown> = sharing
      ? { ...tokenData, ...defined({ extra: old.extra }) }
      : { ...old, ...tokenData };
    // note: the real server reads a field that is never set when no new refresh token comes back, so the stored
    // one is overwritten with undefined (contract §1.8 quirk, failure mode 38); undefined is dropped on the wire.
    if (tokenData.refreshToken === undefined) delete merged.refreshToken;
    for (const [field, value] of Object.entries(merged)) if (value === undefined) delete merged[field];
    const directive = ctx.store.updateUser(user.id, { $set: { [key]: merged } });
    publishUser(ctx, res, directive);
    res.json({ user: directive });
  });
}

/**
 * Contract §1.8 token lookup: providerInfo.<provider> when that has an accessToken (a sign-in token), else
 * providerInfo.<teamId>.<provider>, with .hosts.<starred host> and .multiple.<subId> as given.
 */
export function refreshKey(
  user: UserDoc,
  profile: ProviderProfile,
  input: { teamId: string; host?: string | undefined; subId?: string | undefined },
): string {
  const teamless = `providerInfo.${profile.id}`;
  let key =
    typeof getPath(user, `${teamless}.accessToken`) === 'string'
      ? teamless
      : `providerInfo.${input.teamId}.${profile.id}`;
  if (input.host !== undefined && input.host !== '') key += `.hosts.${starHost(input.host)}`;
  if (input.subId !== undefined) key += `.multiple.${input.subId}`;
  return key;
}

async function refreshed(
  ctx: ApiContext,
  profile: ProviderProfile,
  teamId: string,
  host: string | undefined,
  refreshToken: string,
): Promise<TokenData> {
  const t = profile.token;
  if (t === undefined) throw csError('RAPI-1009', { reason: 'token refresh not supported by provider' });
  const client = resolveClient(ctx, profile, teamId, host);
  const base = client.host === undefined ? (ctx.providerApiUrls?.get(profile.id) ?? client.baseUrl) : client.baseUrl;
  try {
    const { tokenData } = await exchangeRefreshToken(
      profile,
      {
        tokenUrl: `${base}${t.path}`,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        redirectUri: callbackUrl(ctx, profile, 'exchange'),
        refreshToken,
      },
      ctx.fetch,
      { now: ctx.now, timeoutMs: ctx.exchangeTimeoutMs },
    );
    if (!tokenData.accessToken) throw new Error('token not returned from provider');
    return tokenData;
  } catch (err) {
    throw csError('RAPI-1009', { reason: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * Which CodeStream client and which host a provider call uses (contract §3.1 "Client credentials"): an
 * enterprise host must be registered in team.providerHosts (else PRVD-1003), otherwise the environment's
 * config.integrations[provider] (else PRVD-1009). The lab's host table says where a registered host answers.
 */
import type { ProviderProfile } from '../../profiles/profile.js';
import { starHost } from '../../state.js';
import { defined } from '../../util/defined.js';
import { isJsonObject } from '../../util/json.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';

/** OAuth 1.0a consumer data of an enterprise host (jiraserver). */
export interface OAuth1Consumer {
  consumerKey: string;
  privateKey: string;
}

export interface ProviderClient {
  clientId: string;
  clientSecret: string;
  /** Where calls go: the provider's origin, or where the lab serves a registered host. */
  baseUrl: string;
  /** The enterprise host, lowercased, as it appears in the state and the storage key. */
  host?: string;
  oauth1?: OAuth1Consumer;
  /** Extra fields of the client config (Trello's apiKey). */
  extra: Record<string, unknown>;
}

/** Resolves the client for a start or callback; `host` is the decoded host the agent sent or the state carried. */
export function resolveClient(
  ctx: ApiContext,
  profile: ProviderProfile,
  teamId: unknown,
  host: string | undefined,
): ProviderClient {
  if (host === undefined || host === '') {
    if (profile.enterprise) throw csError('PRVD-1003', 'an enterprise provider needs a registered host');
    const client = ctx.clients[profile.id];
    const baseUrl = ctx.providerUrls.get(profile.id);
    if (!client || !baseUrl) throw csError('PRVD-1009');
    const { clientId, clientSecret, ...extra } = client;
    return { clientId, clientSecret, baseUrl, extra };
  }
  const lower = host.toLowerCase();
  const team = typeof teamId === 'string' ? ctx.store.teams.get(teamId) : undefined;
  const entry = team?.providerHosts[profile.id]?.[starHost(lower)];
  if (entry === undefined) throw csError('PRVD-1003', `host "${lower}" is not registered for ${profile.id}`);
  const oauth1 = oauth1Of(entry.oauthData);
  const clientId = typeof entry.appClientId === 'string' ? entry.appClientId : (oauth1?.consumerKey ?? '');
  const clientSecret = typeof entry.appClientSecret === 'string' ? entry.appClientSecret : '';
  // Contract §3.1: a missing client id or secret is PRVD-1009, unless the provider needs none (OAuth 1.0a).
  if (profile.oauth1 === undefined && (clientId === '' || clientSecret === '')) throw csError('PRVD-1009');
  if (profile.oauth1 !== undefined && oauth1 === undefined) throw csError('PRVD-1009', 'no oauthData for this host');
  const baseUrl = ctx.hostOrigins?.get(profile.id)?.get(lower) ?? lower.replace(/\/+$/, '');
  return { clientId, clientSecret, baseUrl, host: lower, ...defined({ oauth1 }), extra: {} };
}

/**
 * A hostUrl (Okta's org host, contract §1.4 `hu`) as the lab serves it: the provider's mock origin, or a
 * registered host its mock plays. Anything else is PRVD-1003.
 * warning: deviation. The real server sends the browser, the code and its client credentials to any hostUrl;
 * a lab must never hand its clients' secrets to a host it does not run, so it refuses instead.
 */
export function servedHostUrl(ctx: ApiContext, profileId: string, hostUrl: string): string {
  const base = hostUrl.replace(/\/+$/, '');
  if (base === ctx.providerUrls.get(profileId)) return base;
  const played = ctx.hostOrigins?.get(profileId)?.get(base.toLowerCase());
  if (played === undefined) throw csError('PRVD-1003', `hostUrl "${base}" is not served by this lab`);
  return played;
}

/**
 * The redirect_uri: at the start, authOrigin, or publicApiUrl for restrictive providers (contract §1.3 step 7);
 * at the exchange always authOrigin (contract §7, which is failure mode 12 for a restrictive code provider).
 */
export function callbackUrl(ctx: ApiContext, profile: ProviderProfile, at: 'start' | 'exchange'): string {
  const origin =
    at === 'start'
      ? profile.restrictive
        ? `${ctx.publicApiUrl}/no-auth`
        : ctx.authOrigin
      : (ctx.exchangeAuthOrigin ?? ctx.authOrigin);
  return `${origin}/provider-token/${profile.id}`;
}

function oauth1Of(data: unknown): OAuth1Consumer | undefined {
  if (!isJsonObject(data)) return undefined;
  const { consumerKey, privateKey } = data;
  return typeof consumerKey === 'string' && typeof privateKey === 'string' ? { consumerKey, privateKey } : undefined;
}

/**
 * What a connect should see, derived from the profile and the lab config alone (never from the API's
 * answers): the start URL the agent builds, the authorize parameters in order, the client and callback,
 * and the providerInfo key the token must land under (contract §3.1, §4.1, §6.1).
 */
import { getPath } from '../../util/dotted.js';
import type { LabConfig } from '../../lab/config.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { starHost } from '../../state.js';

/** Expected authorize parameter order (contract §3.1), independently of the API's builder. */
export function expectedAuthorizeKeys(profile: ProviderProfile, opts: { requestServerToken?: boolean } = {}): string[] {
  if (profile.oauth1 !== undefined) return ['oauth_token', 'oauth_callback'];
  const a = profile.authorize;
  const keys = ['client_id', 'redirect_uri', 'response_type', 'state'];
  if (a.scopes !== undefined) keys.push(a.scopeParameter);
  const extras = [
    ...Object.keys(a.extraParameters),
    ...(opts.requestServerToken ? Object.keys(a.serverTokenParameters) : []),
  ];
  for (const key of extras) if (!keys.includes(key)) keys.push(key);
  return keys.filter((k) => !a.omitParameters.includes(k));
}

/** The agent's start-URL query (contract §6.1): code, host, sharing, requestServerToken; hostUrl for Okta in a lab. */
export function startQuery(
  profile: ProviderProfile,
  input: { pauth: string; host?: string | undefined; hostUrl?: string | undefined },
): string {
  const params: [string, string][] = [['code', input.pauth]];
  if (input.host !== undefined) params.push(['host', input.host]);
  if (input.hostUrl !== undefined) params.push(['hostUrl', input.hostUrl]);
  if (profile.agent.sharing) params.push(['sharing', 'true']);
  if (profile.agent.requestServerToken) params.push(['requestServerToken', 'true']);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The first host a team registers for a provider (destarred), the default `--host` of an enterprise connect. */
export function registeredHost(config: LabConfig, teamId: string, provider: string): string | undefined {
  const starred = Object.keys(config.teams.find((t) => t.id === teamId)?.providerHosts[provider] ?? {})[0];
  return starred?.replaceAll('*', '.');
}

/** The CodeStream client the start should use: the team's entry for a host, else config.clients. */
export function expectedClientId(
  config: LabConfig,
  teamId: string,
  provider: string,
  host: string | undefined,
): string | undefined {
  if (host === undefined) return config.clients[provider]?.clientId;
  const entry = config.teams.find((t) => t.id === teamId)?.providerHosts[provider]?.[starHost(host.toLowerCase())];
  const id = entry?.appClientId ?? getPath(entry?.oauthData, 'consumerKey');
  return typeof id === 'string' ? id : undefined;
}

/**
 * The sub-key of a sharing connect (contract §4.1 multiple.<id>): the value the profile's answer template
 * holds where reshape.assign takes the multipleKey from (Slack: team.id), or undefined when not derivable.
 */
export function expectedSubId(profile: ProviderProfile): string | undefined {
  const key = profile.storage.multipleKey;
  const path = key === undefined ? undefined : profile.token?.reshape?.assign[key];
  const template = profile.token?.responseTemplate;
  const value = path === undefined || template === undefined ? undefined : getPath(template, path);
  return typeof value === 'string' ? value : undefined;
}

/** providerInfo.<team>.<provider>[.hosts.<starred>][.multiple.<sub>] (contract §4.1). */
export function expectedStorageKey(
  profile: ProviderProfile,
  input: { teamId: string; host?: string | undefined; sharing: boolean },
): string {
  let key = `providerInfo.${input.teamId}.${profile.id}`;
  if (input.host !== undefined) key += `.hosts.${starHost(input.host.toLowerCase())}`;
  const sub = input.sharing ? expectedSubId(profile) : undefined;
  if (sub !== undefined) key += `.multiple.${sub}`;
  return key;
}

/** A providerIdentities entry (contract §4.1): `<provider>::<providerUserId>`. */
export function providerIdentity(provider: string, userId: unknown): string {
  return `${provider}::${String(userId)}`;
}

/** What kind of hand-back the provider does, for step selection and messages. */
export function flowKind(profile: ProviderProfile): 'code' | 'fragment' | 'oauth1' {
  if (profile.oauth1 !== undefined) return 'oauth1';
  return profile.delivery.mode === 'fragment' ? 'fragment' : 'code';
}

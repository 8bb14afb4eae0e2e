/**
 * The providers of a lab: one mock per profile, registered with the CodeStream client of config.clients or,
 * for enterprise providers, with every team's providerHosts entry; the host table that tells the API where a
 * registered host (https://git.example.com) answers in the lab; and custom profiles, which get no mock.
 */
import { AppError } from '../errors.js';
import type { LabConfig } from './config.js';
import type { ListenOptions } from '../listen.js';
import { startMockProvider, type RegisteredClient, type RunningProvider } from '../mock-provider/index.js';
import { publicKeyOf } from '../protocol/oauth1-signature.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { defined } from '../util/defined.js';
import { objectOrEmpty } from '../util/json.js';

export interface LabProviders {
  providers: Map<string, RunningProvider>;
  /** Provider → the origin its authorize (and usually token) endpoint answers on. */
  providerUrls: Map<string, string>;
  /**
   * Provider → the origin of its token endpoint where that differs (Linear's API host, a custom profile's token URL).
   */
  providerApiUrls: Map<string, string>;
  /** Provider → registered host (lowercased) → the mock origin that plays it. */
  hostOrigins: Map<string, Map<string, string>>;
  /** Custom profiles: provider → the real server's authorize origin (the lab starts nothing for them). */
  externalOrigins: Map<string, string>;
}

export interface StartProvidersInput {
  ids: readonly string[];
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  authOrigin: string;
  now: () => number;
  consent: 'auto' | 'page';
  /** Entries each provider's journal keeps (LabOptions.recordCap). */
  recordCap?: number | undefined;
  listenOpts: () => ListenOptions;
  /** Every started server is pushed here at once, so a later failure still closes it. */
  started: Array<{ close(): Promise<void> }>;
}

export async function startLabProviders(input: StartProvidersInput): Promise<LabProviders> {
  const out: LabProviders = {
    providers: new Map(),
    providerUrls: new Map(),
    providerApiUrls: new Map(),
    hostOrigins: new Map(),
    externalOrigins: new Map(),
  };
  for (const id of input.ids) {
    const profile = input.profiles.get(id);
    if (!profile) throw new AppError('PROVIDER_UNKNOWN', `no profile for provider "${id}"`);
    if (profile.server !== undefined) {
      if (!input.config.clients[id])
        throw new AppError('PROVIDER_UNKNOWN', `no client for the custom provider "${id}"`);
      const { authorizeUrl, tokenUrl } = profile.server;
      // An issuer-only profile is completed by discovery when it is loaded (profiles/custom.ts).
      if (authorizeUrl === undefined || tokenUrl === undefined)
        throw new AppError('PROFILE_INVALID', `custom profile "${id}" has no endpoints: its issuer was not discovered`);
      const authorize = new URL(authorizeUrl).origin;
      const token = new URL(tokenUrl).origin;
      out.providerUrls.set(id, authorize);
      if (token !== authorize) out.providerApiUrls.set(id, token);
      out.externalOrigins.set(id, authorize);
      continue;
    }
    const redirectUri = `${input.authOrigin}/provider-token/${id}`;
    const hosts = profile.enterprise ? enterpriseHosts(input.config, id) : [];
    const clients = profile.enterprise
      ? hosts.map((h) => h.client(redirectUri))
      : [ownClient(input.config, id, redirectUri)];
    if (clients.length === 0) {
      throw new AppError('PROVIDER_UNKNOWN', `no team registers a host for the enterprise provider "${id}"`, {
        hint: 'Add a providerHosts entry to a team in fixtures/lab.json.',
      });
    }
    const listenOpts = input.listenOpts();
    // A fixed port run (serve --port) gives the API host its own fixed port too, right after the provider's.
    const apiPort = profile.token?.onApiHost === true ? input.listenOpts().port : undefined;
    const provider = await startMockProvider({
      ...listenOpts,
      profile,
      now: input.now,
      consent: input.consent,
      ...defined({ recordCap: input.recordCap }),
      clients,
      ...defined({ apiPort }),
    });
    input.started.push(provider);
    out.providers.set(id, provider);
    out.providerUrls.set(id, provider.url);
    if (provider.apiUrl !== undefined) out.providerApiUrls.set(id, provider.apiUrl);
    if (hosts.length > 0) out.hostOrigins.set(id, new Map(hosts.map((h) => [h.host, provider.url])));
  }
  return out;
}

/**
 * Restrictive providers take their callback on each environment's publicApiUrl (contract §7), so those
 * URLs become registered redirect URIs once the environments listen.
 */
export function registerEnvironmentCallbacks(lab: Pick<LabProviders, 'providers'>, envUrls: readonly string[]): void {
  for (const [id, provider] of lab.providers) {
    if (!provider.profile.restrictive) continue;
    for (const client of provider.control.clients) {
      for (const url of envUrls) {
        const uri = `${url}/no-auth/provider-token/${id}`;
        if (!client.redirectUris.includes(uri)) client.redirectUris.push(uri);
      }
    }
  }
}

function ownClient(config: LabConfig, id: string, redirectUri: string): RegisteredClient {
  const client = config.clients[id];
  if (!client)
    throw new AppError('PROVIDER_UNKNOWN', `no CodeStream client for provider "${id}"`, {
      hint: 'Add one under "clients" in fixtures/lab.json.',
    });
  return { clientId: client.clientId, clientSecret: client.clientSecret, redirectUris: [redirectUri] };
}

interface EnterpriseHost {
  /** The registered host, destarred and lowercased: https://git.example.com. */
  host: string;
  client(redirectUri: string): RegisteredClient;
}

// team.providerHosts[provider][starred host] = {appClientId, appClientSecret}
// or {oauthData: {consumerKey, privateKey}}.
function enterpriseHosts(config: LabConfig, id: string): EnterpriseHost[] {
  const out: EnterpriseHost[] = [];
  for (const team of config.teams) {
    for (const [starred, entry] of Object.entries(team.providerHosts[id] ?? {})) {
      const oauth = objectOrEmpty(entry.oauthData);
      const consumerKey = typeof oauth.consumerKey === 'string' ? oauth.consumerKey : undefined;
      const privateKey = typeof oauth.privateKey === 'string' ? oauth.privateKey : undefined;
      const clientId = typeof entry.appClientId === 'string' ? entry.appClientId : (consumerKey ?? '');
      const clientSecret = typeof entry.appClientSecret === 'string' ? entry.appClientSecret : '';
      out.push({
        host: starred.replaceAll('*', '.').toLowerCase(),
        client: (redirectUri) => ({
          clientId,
          clientSecret,
          redirectUris: [redirectUri],
          ...(privateKey === undefined
            ? {}
            : { publicKeyPem: publicKeyOf(privateKey).export({ type: 'spki', format: 'pem' }).toString() }),
        }),
      });
    }
  }
  return out;
}

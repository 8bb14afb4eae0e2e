/** Builds one environment's context from the lab's config: its seeded store, broadcaster, records and journals. */
import type { EnvironmentConfig, LabConfig } from '../lab/config.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { ApiFaults } from './api-faults.js';
import { Broadcaster } from './broadcaster.js';
import type { ApiContext } from './context.js';
import { ProviderActionLog } from './actions/provider-actions.js';
import { SignupRecords } from './signup/records.js';
import { Store } from './store.js';
import { DEFAULT_RECORD_CAP } from '../util/ring.js';
import { loopbackFetch } from '../util/loopback-fetch.js';

export interface ApiContextInput {
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  env: EnvironmentConfig;
  now: () => number;
  fetch?: typeof fetch | undefined;
  authOrigin: string;
  marketingUrl: string;
  providerUrls: ReadonlyMap<string, string>;
  providerApiUrls?: ReadonlyMap<string, string>;
  hostOrigins?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  successPage?: 'marketing' | 'api' | undefined;
  exchangeTimeoutMs?: number | undefined;
  /** Entries each journal, log and record set keeps (the newest); default DEFAULT_RECORD_CAP. */
  recordCap?: number | undefined;
}

/** The context startMockApi serves; publicApiUrl is filled once the server is bound. */
export function createApiContext(input: ApiContextInput): ApiContext & { setPublicApiUrl(url: string): void } {
  const { config, env, now } = input;
  const store = Store.seeded(config, now);
  const recordCap = input.recordCap ?? DEFAULT_RECORD_CAP;
  let publicApiUrl = '';
  return {
    env,
    config,
    profiles: input.profiles,
    providerUrls: input.providerUrls,
    ...(input.providerApiUrls === undefined ? {} : { providerApiUrls: input.providerApiUrls }),
    ...(input.hostOrigins === undefined ? {} : { hostOrigins: input.hostOrigins }),
    clients: config.clients,
    authOrigin: input.authOrigin,
    get publicApiUrl() {
      return publicApiUrl;
    },
    setPublicApiUrl(url: string) {
      publicApiUrl = url;
    },
    marketingSiteUrl: input.marketingUrl,
    successPage: input.successPage ?? 'marketing',
    store,
    broadcaster: new Broadcaster({
      now,
      cap: recordCap,
      authorize(token) {
        const user = store.userByBroadcasterToken(token);
        return user ? [`user-${user.id}`, ...user.teamIds.map((t) => `team-${t}`)] : undefined;
      },
    }),
    signups: new SignupRecords(now, undefined, recordCap),
    faults: new ApiFaults(),
    requests: [],
    recordCap,
    providerActions: new ProviderActionLog(),
    now,
    fetch: input.fetch ?? loopbackFetch,
    exchangeTimeoutMs: input.exchangeTimeoutMs ?? 30_000,
  };
}

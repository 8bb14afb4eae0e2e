/** What every route of one mock CS API environment shares. */
import type { ClientConfig, EnvironmentConfig, LabConfig } from '../lab/config.js';
import type { ApiFaults } from './api-faults.js';
import type { ProviderProfile } from '../profiles/profile.js';
import type { Broadcaster } from './broadcaster.js';
import type { Store } from './store.js';
import type { SignupRecords } from './signup/records.js';
import type { ProviderActionLog } from './actions/provider-actions.js';

export interface ApiRequestRecord {
  method: string;
  path: string;
  rawQuery: string;
  status?: number;
  location?: string;
  /** An error no route meant to throw (a bug), as describeError words it; the answer was SWEB-1000. */
  error?: string;
  at: number;
}

export interface ApiContext {
  env: EnvironmentConfig;
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  /** Base URL of each provider's server (the mock's origin, or the real host of a custom profile). */
  providerUrls: ReadonlyMap<string, string>;
  /**
   * Where the lab serves registered hosts: provider → lowercased host (an enterprise host such as
   * https://git.example.com, or an Okta hostUrl) → the origin that answers for it. Like /etc/hosts.
   */
  hostOrigins?: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Where token.onApiHost providers take the exchange: provider → the API host's origin (Linear). */
  providerApiUrls?: ReadonlyMap<string, string>;
  /** config.integrations[provider]: the CodeStream app's client id and secret. */
  clients: Readonly<Record<string, ClientConfig>>;
  /** apiServer.authOrigin, e.g. http://127.0.0.1:5000/no-auth: the router, with the /no-auth prefix. */
  readonly authOrigin: string;
  /** apiServer.publicApiUrl: this environment's own origin. */
  readonly publicApiUrl: string;
  /** apiServer.marketingSiteUrl. */
  readonly marketingSiteUrl: string;
  /** Seed default: marketing /auth-complete; "api": /web/provider-connected (contract "differs" #3). */
  successPage: 'marketing' | 'api';
  store: Store;
  broadcaster: Broadcaster;
  signups: SignupRecords;
  /** One-shot faults of this environment's own answers (check-signup 5xx or no answer). */
  faults: ApiFaults;
  requests: ApiRequestRecord[];
  /** Entries requests, provider actions, broadcasts and signup records keep (src/util/ring.ts). */
  recordCap?: number;
  /** Slack and MS Teams calls that reached /no-auth/provider-action (contract §7). */
  providerActions: ProviderActionLog;
  /**
   * Misconfiguration scenario only: the origin the exchange rebuilds redirect_uri from when it is not
   * authOrigin (contract failure mode 12). Unset in every normal run.
   */
  exchangeAuthOrigin?: string;
  now: () => number;
  fetch: typeof fetch;
  /** Timeout of server-to-server calls to providers. */
  exchangeTimeoutMs: number;
}

/** What every route of a mock provider shares. */
import type { ProviderProfile } from '../profiles/profile.js';
import type { GrantStore } from './grants.js';
import type { RecordedRequest, ProviderEndpoint } from './journal.js';

/** The CodeStream app as registered at the provider. */
export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** OAuth 1.0a consumers (clientId is the consumer key): the RSA public key that verifies their signatures. */
  publicKeyPem?: string;
}

/** A declarative one-shot fault (house style §4.2): what the next request to an endpoint gets. */
export type ProviderFault =
  | { kind: 'deny' }
  | { kind: 'oauth-error'; error: string; description?: string }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'no-access-token' }
  /** A fragment provider approves but puts no token in the fragment (contract failure mode 13). */
  | { kind: 'no-fragment-token' }
  /** The token answer leaves out these top-level fields (Slack v2 without authed_user, contract failure mode 35). */
  | { kind: 'omit-fields'; fields: string[] }
  | { kind: 'delay'; ms: number }
  /** A successful token answer with one more field of `bytes` filler characters (it lands in the stored `data`). */
  | { kind: 'extra-field'; name: string; bytes: number }
  /** The route throws a plain Error with this message, as a bug would: the error writer must journal it. */
  | { kind: 'crash'; message: string };

export interface ProviderContext {
  profile: ProviderProfile;
  clients: RegisteredClient[];
  grants: GrantStore;
  requests: RecordedRequest[];
  /** Entries the journal keeps (the newest; src/util/ring.ts). */
  recordCap?: number;
  faults: Map<ProviderEndpoint, QueuedFault[]>;
  now: () => number;
  /** auto: approve without a page (headless); page: show Approve/Deny. */
  consent: 'auto' | 'page';
  readonly baseUrl: string;
}

/** A queued fault; one with `forState` is taken only by a request carrying that state (one flow among many). */
export interface QueuedFault {
  fault: ProviderFault;
  forState?: string;
}

/**
 * Takes the next queued fault for an endpoint that this request may take (any unscoped one, or one scoped to its
 * state), if any; a crash fault throws here, inside the route.
 */
export function takeFault(ctx: ProviderContext, endpoint: ProviderEndpoint, state?: string): ProviderFault | undefined {
  const queue = ctx.faults.get(endpoint);
  const at = queue?.findIndex((q) => q.forState === undefined || q.forState === state) ?? -1;
  if (queue === undefined || at < 0) return undefined;
  const [queued] = queue.splice(at, 1);
  const fault = queued?.fault;
  if (fault?.kind === 'crash') throw new Error(fault.message);
  return fault;
}

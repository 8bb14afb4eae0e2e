/**
 * The provider handle of a custom profile: a real server the lab does not run, so it has no journal, no
 * grants and no faults. Flows see an empty journal and skip the checks that need one (ctx.providerJournal).
 */
import { AppError } from '../errors.js';
import { GrantStore } from '../mock-provider/grants.js';
import type { RunningProvider } from '../mock-provider/index.js';
import type { ProviderProfile } from '../profiles/profile.js';

/** A RunningProvider-shaped stand-in for a server at `origin`; its controls refuse to inject faults. */
export function unmockedProvider(profile: ProviderProfile, origin: string): RunningProvider {
  const refuse = (what: string) => (): never => {
    throw new AppError('USAGE', `cannot ${what} on "${profile.id}": it is a real server, not a mock`);
  };
  return {
    url: origin,
    profile,
    // note: never listened; the lab started nothing for this provider, so there is nothing to close.
    server: undefined as unknown as RunningProvider['server'],
    close: async () => undefined,
    control: {
      requests: [],
      issued: [],
      grants: new GrantStore(Date.now),
      clients: [],
      requestCarrying: () => undefined,
      requestsAuthorizedBy: () => [],
      requestsMentioning: () => [],
      issuedFrom: () => [],
      signInAs: refuse('choose who signs in'),
      failNext: refuse('inject a fault'),
      setNextIdentity: refuse('choose the next identity'),
      setConsent: refuse('change the consent mode'),
      reset: () => undefined,
    },
  };
}

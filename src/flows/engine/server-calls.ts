/**
 * The server-to-server calls of a run (the API's code exchange, refresh grant, identity lookups and profile
 * calls at the provider), read from the providers' journals and reported as `http` events from the API, so
 * reports and diagrams show the hops the browser never sees.
 */
import type { EventSink } from '../../events.js';
import type { Lab } from '../../lab/start-lab.js';
import type { RecordedRequest } from '../../mock-provider/journal.js';

/** The provider endpoints only the API calls; authorize and consent are the browser's own hops. */
export const SERVER_ENDPOINTS: ReadonlySet<RecordedRequest['endpoint']> = new Set<RecordedRequest['endpoint']>([
  'token',
  'identity',
  'profile',
  'request-token',
  'access-token',
]);

// note: the cursor belongs to the lab, so a call is reported once however many runners report on that lab
// (a misconfiguration run is a scenario plan, with its own hooks, run by runFlowIn, which reports too).
const reportedUpTo = new WeakMap<Pick<Lab, 'providers'>, Map<string, number>>();

/** Emits the provider calls made since the last report on this lab, in journal order. */
export function reportServerCalls(lab: Pick<Lab, 'providers'>, onEvent: EventSink): void {
  const seen = reportedUpTo.get(lab) ?? new Map<string, number>();
  reportedUpTo.set(lab, seen);
  for (const [id, provider] of lab.providers) {
    const journal = provider.control.requests;
    for (const r of journal.slice(seen.get(id) ?? 0)) {
      if (!SERVER_ENDPOINTS.has(r.endpoint)) continue;
      const url = `${provider.url}${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`;
      // The journal keeps when the call arrived, not when it was answered: the diagram only needs its start.
      onEvent({
        type: 'http',
        from: 'api',
        to: 'provider',
        method: r.method,
        url,
        status: r.status ?? 0,
        ms: 0,
        startedAt: r.at,
      });
    }
    seen.set(id, journal.length);
  }
}

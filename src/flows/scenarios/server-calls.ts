/**
 * The server-to-server calls of a run (the API's code exchange, identity lookups and profile calls at the provider),
 * read from the providers' journals after each step and reported as `http` events from the API, so
 * reports and diagrams show the hop the browser never sees.
 */
import type { RecordedRequest } from '../../mock-provider/journal.js';
import type { ScenarioContext, ScenarioRuntime, StepHook } from './runtime.js';

// What the API calls; authorize and consent are the browser's own hops, already reported.
const SERVER_ENDPOINTS = new Set<RecordedRequest['endpoint']>(['token', 'identity', 'profile', 'request-token', 'access-token']);

/** One hook per step that reports the provider calls made during it, also when the step failed. */
export function serverCallHooks<C extends ScenarioContext>(rt: ScenarioRuntime, stepIds: readonly string[]): StepHook<C>[] {
  const seen = new Map<string, number>();
  const report = (ctx: C): void => {
    for (const [id, provider] of rt.lab.providers) {
      const journal = provider.control.requests;
      for (const r of journal.slice(seen.get(id) ?? 0)) {
        if (!SERVER_ENDPOINTS.has(r.endpoint)) continue;
        const url = `${provider.url}${r.path}${r.rawQuery ? `?${r.rawQuery}` : ''}`;
        ctx.onEvent({ type: 'http', from: 'api', to: 'provider', method: r.method, url, status: r.status ?? 0, ms: 0, startedAt: r.at });
      }
      seen.set(id, journal.length);
    }
  };
  return stepIds.map((step) => ({ step, when: 'finally', run: (ctx) => report(ctx) }));
}

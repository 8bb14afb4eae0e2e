/** Turns a fetch into an `http` flow event: who called whom, status, Location and timing. */
import type { Actor, EventSink, HttpExchange } from '../events.js';

export interface TimedResponse {
  response: Response;
  exchange: HttpExchange;
}

/** Performs one request without following redirects and reports it. */
export async function timedFetch(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit,
  who: { from: Actor; to: Actor; now: () => number; onEvent?: EventSink | undefined },
): Promise<TimedResponse> {
  const startedAt = who.now();
  const response = await fetchFn(url, { ...init, redirect: 'manual' });
  const location = response.headers.get('location');
  const exchange: HttpExchange = {
    from: who.from,
    to: who.to,
    method: init.method ?? 'GET',
    url,
    status: response.status,
    ...(location === null ? {} : { location }),
    ms: who.now() - startedAt,
    startedAt,
    requestHeaders: headersRecord(new Headers(init.headers)),
    responseHeaders: headersRecord(response.headers),
  };
  who.onEvent?.({ type: 'http', ...exchange });
  return { response, exchange };
}

export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => (out[key] = value));
  return out;
}

/**
 * Watches the lab's servers for the requests a real browser makes on its own, so the real-browser flow
 * can wait for them (an event per finished request, never a poll). The details of each request are then
 * read from the journals the servers keep.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppError } from '../errors.js';

export interface SeenRequest {
  /** Origin of the lab server that answered. */
  origin: string;
  method: string;
  /** Path without the query. */
  path: string;
  /** The raw query after "?" ('' when none). */
  query: string;
  status: number;
  /** The Location answered, if any, as sent. */
  location?: string;
  /** When the server got the request, and how long it took to answer it (the watch's clock). */
  startedAt: number;
  ms: number;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string>;
}

interface Waiter {
  predicate: (r: SeenRequest) => boolean;
  resolve: (r: SeenRequest) => void;
}

/** Records every request the given servers finish from now on; close() detaches. */
export class LabWatch {
  readonly seen: SeenRequest[] = [];
  private waiters: Waiter[] = [];
  private listeners: Array<(r: SeenRequest) => void> = [];
  private readonly detach: Array<() => void> = [];

  /**
   * `now` should be the lab's clock, so the timings line up with the journals' and the agent's events.
   * `keep: false` (serve's request log, up for hours) keeps no history: listeners and waiters see requests as
   * they come.
   */
  constructor(
    servers: ReadonlyArray<{ url: string; server: Server }>,
    now: () => number = Date.now,
    private readonly opts: { keep?: boolean } = {},
  ) {
    for (const { url, server } of servers) {
      const origin = new URL(url).origin;
      const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
        const startedAt = now();
        res.once('finish', () => {
          const ms = now() - startedAt;
          // setImmediate: the server's own journal also writes on 'finish', possibly after this listener.
          setImmediate(() => this.record(seenOf(origin, req, res, startedAt, ms)));
        });
      };
      server.on('request', onRequest);
      this.detach.push(() => server.off('request', onRequest));
    }
  }

  /** Resolves with the first request (already seen or coming) matching `predicate`; rejects on timeout or abort. */
  waitFor(
    predicate: (r: SeenRequest) => boolean,
    opts: { timeoutMs: number; signal?: AbortSignal | undefined; onTimeout: () => AppError },
  ): Promise<SeenRequest> {
    const found = this.seen.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const onAbort = (): void => {
        done();
        reject(new AppError('FLOW_ABORTED', 'interrupted while waiting for the browser'));
      };
      const timer = setTimeout(() => {
        done();
        reject(opts.onTimeout());
      }, opts.timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (r) => {
          done();
          resolve(r);
        },
      };
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Calls `listener` with every request finished from now on; returns the unsubscribe. */
  subscribe(listener: (r: SeenRequest) => void): () => void {
    this.listeners.push(listener);
    return () => void (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  close(): void {
    for (const off of this.detach.splice(0)) off();
    this.listeners = [];
  }

  private record(request: SeenRequest): void {
    if (this.opts.keep !== false) this.seen.push(request);
    for (const listener of this.listeners) listener(request);
    for (const w of [...this.waiters]) if (w.predicate(request)) w.resolve(request);
  }
}

function seenOf(origin: string, req: IncomingMessage, res: ServerResponse, startedAt: number, ms: number): SeenRequest {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const location = res.getHeader('location');
  return {
    origin,
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? '' : url.slice(q + 1),
    status: res.statusCode,
    ...(typeof location === 'string' ? { location } : {}),
    startedAt,
    ms,
    requestHeaders: flatten(req.headers),
    responseHeaders: flatten(res.getHeaders()),
  };
}

// Node's header maps hold string arrays (set-cookie) and numbers (content-length); HAR wants one string each.
function flatten(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

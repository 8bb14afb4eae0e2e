/**
 * Watches the lab's servers for the requests a real browser makes on its own, so the real-browser flow
 * can wait for them (an event per finished request, never a poll). The details of each request are then
 * read from the journals the servers keep.
 */
import type { Server, ServerResponse } from 'node:http';
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
}

interface Waiter {
  predicate: (r: SeenRequest) => boolean;
  resolve: (r: SeenRequest) => void;
}

/** Records every request the given servers finish from now on; close() detaches. */
export class LabWatch {
  readonly seen: SeenRequest[] = [];
  private waiters: Waiter[] = [];
  private readonly detach: Array<() => void> = [];

  constructor(servers: ReadonlyArray<{ url: string; server: Server }>) {
    for (const { url, server } of servers) {
      const origin = new URL(url).origin;
      const onRequest = (req: { method?: string; url?: string }, res: ServerResponse): void => {
        // setImmediate: the server's own journal also writes on 'finish', possibly after this listener.
        res.once('finish', () => setImmediate(() => this.record(seenOf(origin, req, res))));
      };
      server.on('request', onRequest);
      this.detach.push(() => server.off('request', onRequest));
    }
  }

  /** Resolves with the first request (already seen or coming) matching `predicate`; rejects on timeout or abort. */
  waitFor(predicate: (r: SeenRequest) => boolean, opts: { timeoutMs: number; signal?: AbortSignal | undefined; onTimeout: () => AppError }): Promise<SeenRequest> {
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

  close(): void {
    for (const off of this.detach.splice(0)) off();
  }

  private record(request: SeenRequest): void {
    this.seen.push(request);
    for (const w of [...this.waiters]) if (w.predicate(request)) w.resolve(request);
  }
}

function seenOf(origin: string, req: { method?: string; url?: string }, res: ServerResponse): SeenRequest {
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
  };
}

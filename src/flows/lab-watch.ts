/**
 * Watches the lab's servers for the requests a real browser makes on its own, so the real-browser flow
 * can wait for them (an event per finished request, never a poll). The details of each request are then
 * read from the journals the servers keep.
 */
import type { Server } from 'node:http';
import { AppError } from '../errors.js';

export interface SeenRequest {
  /** Origin of the lab server that answered. */
  origin: string;
  method: string;
  /** Path without the query. */
  path: string;
  status: number;
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
      const onRequest = (req: { method?: string; url?: string }, res: { statusCode: number; once(event: 'finish', fn: () => void): unknown }): void => {
        // setImmediate: the server's own journal also writes on 'finish', possibly after this listener.
        res.once('finish', () => setImmediate(() => this.record({ origin, method: req.method ?? 'GET', path: (req.url ?? '').split('?')[0] ?? '', status: res.statusCode })));
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

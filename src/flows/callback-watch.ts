/**
 * Waits for what a real browser does on its own: the callback reaching the API (or being refused by
 * the router), read from the lab's request journals rather than from hops the tool made itself.
 */
import type { Server } from 'node:http';
import { AppError } from '../errors.js';
import type { ApiRequestRecord } from '../mock-api/context.js';
import type { RouterHit } from '../mock-edge/router.js';

export interface CallbackWatch {
  /** The environment's journal and server; the callback is GET /no-auth/provider-token/<provider>. */
  api: { server: Server; ctx: { requests: readonly ApiRequestRecord[] } };
  router: { server: Server; hits: readonly RouterHit[] };
  provider: string;
  /** Journal lengths when the browser was handed the URL, so earlier runs on a shared lab are ignored. */
  since: { api: number; router: number };
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export type CallbackSeen = { kind: 'callback'; record: ApiRequestRecord } | { kind: 'refused'; hit: RouterHit };

/** Resolves with the finished callback, or with the router's refusal; rejects on timeout or abort. */
export function waitForCallback(watch: CallbackWatch): Promise<CallbackSeen> {
  const path = `/no-auth/provider-token/${watch.provider}`;
  const find = (): CallbackSeen | undefined => {
    const record = watch.api.ctx.requests.slice(watch.since.api).find((r) => r.method === 'GET' && r.path === path && r.status !== undefined);
    if (record) return { kind: 'callback', record };
    const hit = watch.router.hits.slice(watch.since.router).find((h) => h.path === path && h.status !== 302);
    return hit ? { kind: 'refused', hit } : undefined;
  };
  return new Promise((resolve, reject) => {
    const servers = [watch.api.server, watch.router.server];
    const onRequest = (_req: unknown, res: { once(event: 'finish', fn: () => void): unknown }): void => {
      // setImmediate: the journal's own 'finish' listener (which writes the status) may run after this one.
      res.once('finish', () => setImmediate(check));
    };
    const finish = (): void => {
      clearTimeout(timer);
      watch.signal?.removeEventListener('abort', onAbort);
      for (const server of servers) server.off('request', onRequest);
    };
    const check = (): void => {
      const seen = find();
      if (seen === undefined) return;
      finish();
      resolve(seen);
    };
    const onAbort = (): void => {
      finish();
      reject(new AppError('FLOW_ABORTED', 'interrupted while waiting for the browser'));
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new AppError('CALLBACK_TIMEOUT', `no callback reached "${path}" within ${Math.round(watch.timeoutMs / 1000)} s`, {
          hint: 'Approve or deny on the provider page in your browser, or give more time with --timeout <seconds>.',
        }),
      );
    }, watch.timeoutMs);
    if (watch.signal?.aborted) return onAbort();
    watch.signal?.addEventListener('abort', onAbort, { once: true });
    for (const server of servers) server.on('request', onRequest);
    check();
  });
}

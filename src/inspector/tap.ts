/**
 * The inspector's tap on the lab's servers: one record per finished exchange, with both bodies, read from
 * the node:http objects (as LabWatch does) so no mock needs a change. It only observes: the request body is
 * seen as its consumer reads it (emit is wrapped; no 'data' listener that would change the stream's mode),
 * the response body as the route writes it.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Which lab box answered: the inspector draws it as that party. */
export type Box = 'api' | 'provider' | 'router' | 'marketing' | 'proxy';

export interface TappedServer {
  box: Box;
  url: string;
  server: Server;
  /** api: the environment's name; provider: the provider's id. */
  name: string;
}

export interface TappedExchange {
  box: Box;
  name: string;
  origin: string;
  method: string;
  /** Path and query as received. */
  target: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** Bodies past BODY_LIMIT are cut; true when one was. */
  truncated: boolean;
  startedAt: number;
  ms: number;
  /** The raw node objects, for the journals that key their entries on them (provider journal). */
  res: ServerResponse;
}

// note: a hop detail is for reading; a bigger body is cut so 1,000 flows stay within the memory caps.
export const BODY_LIMIT = 16 * 1024;

/** Taps every server; close() detaches (requests already under way still report). */
export function tapServers(
  servers: readonly TappedServer[],
  onExchange: (exchange: TappedExchange) => void,
  now: () => number,
): { close: () => void } {
  const detach: Array<() => void> = [];
  for (const s of servers) {
    const origin = new URL(s.url).origin;
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      const startedAt = now();
      const reqBody = collector();
      const resBody = collector();
      wrapEmit(req, reqBody.add);
      wrapWrites(res, resBody.add);
      res.once('finish', () => {
        const ms = now() - startedAt;
        // setImmediate: the servers' own journals also complete on 'finish', possibly after this listener.
        setImmediate(() =>
          onExchange({
            box: s.box,
            name: s.name,
            origin,
            method: req.method ?? 'GET',
            target: req.url ?? '/',
            requestHeaders: flatten(req.headers),
            requestBody: reqBody.text(),
            status: res.statusCode,
            responseHeaders: flatten(res.getHeaders()),
            responseBody: resBody.text(),
            truncated: reqBody.cut() || resBody.cut(),
            startedAt,
            ms,
            res,
          }),
        );
      });
    };
    // prepend: the wrappers must be in place before the app's handler can read or answer.
    s.server.prependListener('request', onRequest);
    detach.push(() => s.server.off('request', onRequest));
  }
  return { close: () => detach.splice(0).forEach((off) => off()) };
}

function collector(): { add: (chunk: unknown) => void; text: () => string; cut: () => boolean } {
  const chunks: Buffer[] = [];
  let size = 0;
  let cut = false;
  return {
    add(chunk) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk instanceof Uint8Array ? chunk : undefined;
      if (buf === undefined || buf.length === 0) return;
      if (size >= BODY_LIMIT) return void (cut = true);
      const room = BODY_LIMIT - size;
      if (buf.length > room) cut = true;
      const kept = Buffer.from(buf.subarray(0, room));
      chunks.push(kept);
      size += kept.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    cut: () => cut,
  };
}

function wrapEmit(req: IncomingMessage, add: (chunk: unknown) => void): void {
  const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
  req.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'data') add(args[0]);
    return emit(event, ...args);
  }) as IncomingMessage['emit'];
}

function wrapWrites(res: ServerResponse, add: (chunk: unknown) => void): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((...args: unknown[]) => {
    add(args[0]);
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    if (typeof args[0] !== 'function') add(args[0]);
    return end(...args);
  }) as ServerResponse['end'];
}

// Node's header maps hold string arrays (set-cookie) and numbers (content-length); one string each here.
function flatten(headers: Record<string, string | string[] | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

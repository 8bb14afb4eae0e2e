/**
 * Relaying one HTTP request to an upstream and its answer back, as the edge boxes (router in proxy mode,
 * VPN proxy) do. node:http rather than fetch, so the path and query go out byte for byte (a WHATWG URL
 * would re-encode some characters) and the body's bytes are never decoded.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Response } from 'express';
import { defined } from '../util/defined.js';

// RFC 9110 §7.6.1: connection-specific fields are not forwarded; host and length are the new hop's own.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/** The end-to-end headers of a message, values unchanged. */
export function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request to `origin` + `path` (sent exactly as given); rejects only when the upstream cannot be reached. */
export function sendUpstream(
  origin: string,
  path: string,
  init: { method: string; headers: Record<string, string>; body?: Buffer; timeoutMs?: number },
): Promise<UpstreamAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const headers = { ...init.headers, ...defined({ 'content-length': init.body?.length.toString() }) };
    const req = request(
      { hostname: hostname.replace(/^\[|\]$/g, ''), port, path, method: init.method, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(init.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${origin} in time`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Writes an upstream answer to `res`; `rewriteLocation` may turn a Location into another one. */
export function relayAnswer(
  res: Response,
  answer: UpstreamAnswer,
  rewriteLocation: (location: string) => string = (l) => l,
): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(forwardableHeaders(answer.headers))) {
    if (name === 'set-cookie') continue;
    res.setHeader(name, name === 'location' ? rewriteLocation(value) : value);
  }
  const cookies = answer.headers['set-cookie'];
  if (cookies !== undefined) res.setHeader('set-cookie', cookies);
  res.end(answer.body);
}

/** The request body as bytes, or undefined when it is larger than `limit`; every mock server reads bodies so. */
export async function readBodyBytes(req: AsyncIterable<unknown>, limit = 64 * 1024): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  // note: the body is drained even past the limit; leaving the loop early would destroy the socket
  // before the refusal could be written.
  for await (const chunk of req) {
    const bytes = bytesOf(chunk);
    size += bytes.length;
    if (size <= limit) chunks.push(bytes);
  }
  return size > limit ? undefined : Buffer.concat(chunks);
}

// A request stream without an encoding yields Buffers; text is accepted for streams that set one.
function bytesOf(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return Buffer.from(chunk);
  throw new TypeError(`a body chunk is a ${typeof chunk}, not bytes`);
}

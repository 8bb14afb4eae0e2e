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

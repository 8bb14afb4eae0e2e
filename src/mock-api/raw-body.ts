/**
 * The exact bytes of a request body, for routes that verify a signature over them (Slack's v0 scheme signs
 * the raw body, contract §7). JSON bodies are captured by the JSON parser's `verify` hook; any other body is
 * read here from the stream, which no parser has touched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { csError } from './cs-errors.js';
import { readBodyBytes } from '../util/http-request.js';

const LIMIT = 64 * 1024;
const kept = new WeakMap<IncomingMessage, Buffer>();

/** `verify` hook for express.json: remembers the bytes it is about to parse. */
export function keepRawBody(req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  kept.set(req, Buffer.from(buf));
}

/** The raw body (64 KiB at most); a larger body is RAPI-1012, never a 500. */
export async function readRawBody(req: IncomingMessage): Promise<Buffer> {
  const parsed = kept.get(req);
  if (parsed !== undefined) return parsed;
  if (req.readableEnded) return Buffer.alloc(0);
  // Drained to the end even past the limit: leaving early would destroy the socket before the 403.
  const raw = await readBodyBytes(req, LIMIT);
  if (raw === undefined) throw csError('RAPI-1012', 'body is larger than 64 KiB');
  kept.set(req, raw);
  return raw;
}

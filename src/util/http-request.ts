/** What every mock server reads from a request the same way: headers, the body's bytes, errors for its journal. */
import { inspect } from 'node:util';
import type { Request } from 'express';

/** Flattens an express request's headers to single strings. */
export function headersOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** An error no route meant to throw, in words for a journal: "TypeError: x is not a function". */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `a thrown ${typeof err}: ${inspect(err, { depth: 2, breakLength: Infinity })}`;
}

/** An error express raised itself about the request, not about the server. */
export interface ClientError {
  status: number;
  message: string;
  /** body-parser's kind ("entity.parse.failed", "entity.too.large"), when it has one. */
  type: string | undefined;
}

/**
 * Bad input, never a bug: the http-errors express, its router and body-parser raise carry a 4xx `status`
 * (a path segment that is not valid %-encoding, a body over the limit, JSON that does not parse). Their
 * messages name no secrets.
 */
export function clientErrorOf(err: unknown): ClientError | undefined {
  if (!(err instanceof Error)) return undefined;
  const status = 'status' in err ? err.status : undefined;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const type = 'type' in err && typeof err.type === 'string' ? err.type : undefined;
  return { status, message: err.message, type };
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

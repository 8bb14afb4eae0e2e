/** Reads a request body in any of the four exchange formats of contract §3.1, without trusting it. */
import type { Request } from 'express';
import { isJsonObject, parseJson } from '../util/json.js';
import { invalidRequest } from './errors.js';
import { paramsOf, type RecordedRequest } from './journal.js';
import { readBodyBytes } from '../util/http-request.js';

const LIMIT = 64 * 1024;

export interface ParsedBody {
  raw: string;
  params: Record<string, string>;
  /** Names sent more than once (RFC 6749 §3.1 forbids it); a JSON object cannot repeat one. */
  repeated: string[];
  format: RecordedRequest['format'];
}

/** Reads the raw body (64 KiB at most) and decodes it by content type. */
export async function readBody(req: Request): Promise<ParsedBody> {
  const raw = await readRaw(req);
  if (raw.length === 0) return { raw, params: {}, repeated: [], format: 'none' };
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/json')) {
    const json = parseJson(raw);
    if (json === undefined) throw invalidRequest('request body is not valid JSON');
    if (!isJsonObject(json)) throw invalidRequest('JSON body must be an object');
    return { raw, params: stringify(json), repeated: [], format: 'json' };
  }
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    } catch {
      throw invalidRequest('multipart body could not be parsed');
    }
    const fields = [...form].filter((entry): entry is [string, string] => typeof entry[1] === 'string');
    return { raw, ...paramsOf(fields), format: 'form' };
  }
  return { raw, ...paramsOf(new URLSearchParams(raw)), format: 'formQuery' };
}

function stringify(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value !== undefined && value !== null) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

async function readRaw(req: Request): Promise<string> {
  // note: an oversized body is read to the end and dropped, so the client sees the OAuth error, not a reset.
  const bytes = await readBodyBytes(req, LIMIT);
  if (bytes === undefined) throw invalidRequest('request body is larger than 64 KiB');
  return bytes.toString('utf8');
}

/** The environment's request journal (ctx.requests): each request, its answer, and the bug it met if any. */
import type { Response } from 'express';
import type { ApiRequestRecord } from './context.js';
import { describeError } from '../util/http-request.js';

const records = new WeakMap<Response, ApiRequestRecord>();

/** Ties a journal record to the response that answers its request (the journaling middleware does). */
export function keepRequestRecord(res: Response, record: ApiRequestRecord): void {
  records.set(res, record);
}

/** Keeps an error no route meant to throw (a bug) in the record of the request it broke. */
export function noteUnexpected(res: Response, err: unknown): void {
  const record = records.get(res);
  if (record) record.error = describeError(err);
}

/** Small request helpers shared by the API routes: auth, redirects to /web/error, query narrowing. */
import type { Request, Response } from 'express';
import type { ApiContext } from './context.js';
import { csError } from './cs-errors.js';
import type { UserDoc } from './store.js';

/** Bearer authentication (contract §1: everything outside /no-auth, /web needs it → AUTH-1001). */
export function requireUser(ctx: ApiContext, req: Request): UserDoc {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  const user = token ? ctx.store.userByAccessToken(token) : undefined;
  if (!user) throw csError('AUTH-1001');
  return user;
}

/**
 * The API routes a browser loads (start, callback, pages); the others are the agent's (users/me,
 * check-signup…).
 */
export const BROWSER_ROUTE = /^\/(?:web\/|no-auth\/(?:provider-auth|provider-token|web)\/)/;

/** A query value as a string, or undefined; arrays and objects (?a[b]=1) are not accepted. */
export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * A required query string (contract §1 parameter checks): missing or empty → RAPI-1001, any other type
 * (a repeated key arrives as an array) → RAPI-1012, both with the parameter's name as info.
 */
export function requiredQueryString(req: Request, name: string): string {
  const value = req.query[name];
  if (value === undefined || value === '') throw csError('RAPI-1001', name);
  if (typeof value !== 'string') throw csError('RAPI-1012', name);
  return value;
}

/** An optional query string: absent → undefined; present but not a string (a repeated key) → RAPI-1012. */
export function optionalQueryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw csError('RAPI-1012', name);
  return value;
}

/**
 * 302 to /web/error with parameters in the contract's order. The values are interpolated as received, not
 * percent-encoded (contract §1.10: `/web/error?state=${state}&code=…`), so an enterprise state keeps its raw
 * `!https://host`; express's redirect only escapes what may not appear in a URL at all. Only the error writer
 * sends it: routes throw a WebErrorRedirect.
 */
export function redirectToError(res: Response, params: ReadonlyArray<readonly [string, string | undefined]>): void {
  const query = params
    .filter((p): p is readonly [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  res.redirect(302, `/web/error?${query}`);
}

/** The message every write publishes on the user's me-channel (contract §4.2). */
export function publishUser(ctx: ApiContext, res: Response, directive: object & { id: string }): void {
  const requestId = String(res.getHeader('x-request-id') ?? '');
  ctx.broadcaster.publish(`user-${directive.id}`, { user: directive, requestId });
}

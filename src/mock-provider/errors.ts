/**
 * The errors the mock provider's routes throw. No route writes an error answer itself: the one error writer
 * (error-writer.ts) turns these into the wire answer (house style §4.3).
 */
import type { TokenProfile } from '../profiles/profile.js';

/** An RFC 6749 error found while validating a request; the route's endpoint decides how it is answered. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    /** RFC 6749 §4.1.2.1: only errors found after client_id and redirect_uri were validated may be redirected. */
    readonly redirectable = false,
  ) {
    super(`${error}: ${description}`);
  }
}

export const invalidRequest = (description: string, redirectable = false) =>
  new OAuthError(400, 'invalid_request', description, redirectable);
export const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description);
export const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
export const accessDenied = (description = 'the resource owner denied the request') =>
  new OAuthError(400, 'access_denied', description, true);
export const unsupportedResponseType = (value: string) =>
  new OAuthError(400, 'unsupported_response_type', `response_type "${value}" is not supported`, true);

/** The body of an error answer, by how it is encoded. */
export type ErrorBody =
  /** JSON (identity and profile-call refusals, the 404 of an unknown route). */
  | { kind: 'json'; body: Record<string, unknown> }
  /** text/plain (an injected status fault). */
  | { kind: 'text'; body: string }
  /** application/x-www-form-urlencoded (OAuth 1.0a's oauth_problem, RFC 5849 §3.2 reporting extension). */
  | { kind: 'form'; fields: Record<string, string> }
  /** The token endpoint's envelope in the profile's encoding, never cached (RFC 6749 §5.1, §5.2). */
  | { kind: 'token'; token: TokenProfile; body: Record<string, unknown> }
  /** An HTML page with the lab's page headers (an error that may not be redirected). */
  | { kind: 'page'; title: string; html: string }
  /** The error goes back to the client in a redirect (RFC 6749 §4.1.2.1). */
  | { kind: 'redirect'; location: string };

/** A fully described error answer: status, extra headers and body. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly answer: ErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`HTTP ${status} (${answer.kind})`);
  }
}

/** An injected status fault: that status with a text body. */
export const statusFault = (status: number, body: string) => new ProviderHttpError(status, { kind: 'text', body });

/** A redirect that carries an error (access_denied, permission_denied) back to the client. */
export const redirectAnswer = (status: 302 | 303, location: string) =>
  new ProviderHttpError(status, { kind: 'redirect', location });

/** RFC 6750 §3.1: a refused Bearer call; a 401 also names the error in WWW-Authenticate. */
export function bearerError(status: number, error: string, description: string): ProviderHttpError {
  const headers: Record<string, string> =
    status === 401 ? { 'WWW-Authenticate': `Bearer error="${error}", error_description="${description}"` } : {};
  return new ProviderHttpError(status, { kind: 'json', body: { error, error_description: description } }, headers);
}

/** OAuth errors the mock provider throws; one middleware writes them (house style §4.3). */

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

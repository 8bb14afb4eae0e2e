/**
 * CodeStream's wire error codes (contract Appendix A) and the errors the mock API's routes throw. No route
 * writes an error answer itself: the one error writer (error-writer.ts) does (contract §1).
 */

export const CS_ERRORS = {
  'PRVD-1000': 'unknown provider',
  'PRVD-1001': 'invalid provider credentials',
  'PRVD-1003': 'unknown provider host',
  'PRVD-1004': 'identity matching not supported',
  'PRVD-1005': 'no identity match found',
  'PRVD-1007': 'provider data request failed',
  'PRVD-1008': 'hostUrl is required',
  'PRVD-1009': 'provider not configured',
  'PRVD-1010': 'GitLab user has no public email',
  'PRVD-1011': 'provider not allowed',
  'AUTH-1001': 'missing authorization',
  'AUTH-1002': 'token is invalid',
  'AUTH-1005': 'token is expired',
  'AUTH-1006': 'token not found; this usually means the authorization flow has not yet completed',
  'RAPI-1001': 'parameter required',
  'RAPI-1003': 'not found',
  'RAPI-1009': 'not authorized to read',
  'RAPI-1010': 'not authorized to update',
  'RAPI-1012': 'invalid parameter',
  'RAPI-1016': 'deprecated',
  'USRC-1006': 'already registered',
  'USRC-1010': 'user is not registered',
  'USRC-1022': 'provider login failed',
  'USRC-1023': 'in maintenance mode',
  'SWEB-1000': 'internal error',
  'SWEB-1004': 'unknown error',
} as const;

export type CsErrorCode = keyof typeof CS_ERRORS;

/** True for a code of the mock's catalogue (a signup record may carry any code a provider sent). */
export function isCsErrorCode(code: string): code is CsErrorCode {
  return Object.hasOwn(CS_ERRORS, code);
}

/** An error with a CodeStream code; `info` travels in the JSON body and in check-signup answers. */
export class CsError extends Error {
  constructor(
    readonly code: CsErrorCode,
    readonly info?: string | Record<string, unknown>,
  ) {
    super(`${code}: ${CS_ERRORS[code]}${typeof info === 'string' ? ` (${info})` : ''}`);
  }

  /** The JSON 403 body of contract §1: {code, message, ...info}; description is never sent. */
  toJSON(): Record<string, unknown> {
    const extra = typeof this.info === 'object' ? this.info : this.info === undefined ? {} : { info: this.info };
    return { code: this.code, message: CS_ERRORS[this.code], ...extra };
  }
}

/**
 * A CsError is an answer of the contract, not a bug: nobody reads its stack, and capturing one was the largest
 * single cost of a check-signup poll (issue 14 profile: ~4 % of the route's CPU), so none is captured.
 */
export function csError(code: CsErrorCode, info?: string | Record<string, unknown>): CsError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new CsError(code, info);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * An answer outside the 403 {code, message, ...info} of a CsError: another status (the 404 of an unknown
 * route, an injected 5xx), or a wire code outside the catalogue (USRC-1032, UNKNOWN).
 */
export class ApiHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(`HTTP ${status} ${JSON.stringify(body)}`);
  }
}

/**
 * A browser route's failure (the start and callback routes, the pages): the browser goes to
 * /web/error with these parameters, in this order (contract §1.9). `unexpected` is the error behind it when
 * that was no contract error but a bug; the journal keeps it.
 */
export class WebErrorRedirect extends Error {
  constructor(
    readonly params: ReadonlyArray<readonly [string, string | undefined]>,
    readonly unexpected?: unknown,
  ) {
    super(`/web/error?${params.map(([k, v]) => `${k}=${v ?? ''}`).join('&')}`);
  }
}

/**
 * How the agent turns a check-signup answer into a LoginResult (contract §6.2 item 3, the agent's
 * loginApiErrorMappings). Only HTTP 4xx answers are mapped; USRC-1022 is remapped through its nested code.
 */
import { ownValue } from '../util/dotted.js';
import { isJsonObject } from '../util/json.js';

export type LoginResult =
  | 'SUCCESS'
  | 'USER_NOT_IN_COMPANY'
  | 'TOKEN_NOT_FOUND'
  | 'TOKEN_INVALID'
  | 'TOKEN_EXPIRED'
  | 'NOT_CONFIRMED'
  | 'ALREADY_CONFIRMED'
  | 'USER_NOT_ON_TEAM'
  | 'MULTIPLE_WORKSPACES'
  | 'SIGNUP_REQUIRED'
  | 'SIGNIN_REQUIRED'
  | 'INVITE_CONFLICT'
  | 'MAINTENANCE_MODE'
  | 'MUST_SET_PASSWORD'
  | 'EMAIL_IS_WEBMAIL'
  | 'VERSION_UNSUPPORTED'
  | 'UNKNOWN';

/** Contract §6.2 table: server code → LoginResult; anything missing is UNKNOWN. */
export const LOGIN_RESULTS: Readonly<Record<string, LoginResult>> = {
  'AUTH-1006': 'TOKEN_NOT_FOUND',
  'AUTH-1002': 'TOKEN_INVALID',
  'AUTH-1003': 'TOKEN_INVALID',
  'RAPI-1003': 'TOKEN_INVALID',
  'USRC-1002': 'TOKEN_INVALID',
  'USRC-1005': 'TOKEN_INVALID',
  'AUTH-1004': 'TOKEN_EXPIRED',
  'AUTH-1005': 'TOKEN_EXPIRED',
  'USRC-1010': 'NOT_CONFIRMED',
  'USRC-1006': 'ALREADY_CONFIRMED',
  'USRC-1012': 'USER_NOT_ON_TEAM',
  'USRC-1015': 'MULTIPLE_WORKSPACES',
  'PRVD-1002': 'MULTIPLE_WORKSPACES',
  'PRVD-1005': 'SIGNUP_REQUIRED',
  'PRVD-1006': 'SIGNIN_REQUIRED',
  'USRC-1020': 'INVITE_CONFLICT',
  'USRC-1023': 'MAINTENANCE_MODE',
  'USRC-1024': 'MUST_SET_PASSWORD',
  'USRC-1026': 'EMAIL_IS_WEBMAIL',
  'VERS-1001': 'VERSION_UNSUPPORTED',
};

/** A mapped 4xx answer: the result, the server code and, for USRC-1022, the nested one. */
export interface MappedAnswer {
  result: LoginResult;
  code: string;
  nested?: string;
  /**
   * USRC-1022 with a nested code the table lacks (a raw provider error such as access_denied, or RAPI-1010):
   * the real agent then produces no result at all and the webview takes it for a success (failure mode 26).
   * The simulator reports UNKNOWN and flags it.
   */
  nestedUnmapped?: true;
  /**
   * USRC-1032: the account lives in another region; the webview switches its server URL to `url`
   * (contract §6.2 item 4).
   */
  extra?: { code: 'USRC-1032'; url: string };
}

/** Maps the JSON body of a 4xx check-signup answer. */
export function loginResultOf(body: Record<string, unknown>): MappedAnswer {
  const code = typeof body.code === 'string' ? body.code : '';
  if (code === 'USRC-1032')
    return { result: 'UNKNOWN', code, extra: { code, url: typeof body.url === 'string' ? body.url : '' } };
  if (code !== 'USRC-1022') return { result: ownValue(LOGIN_RESULTS, code) ?? 'UNKNOWN', code };
  // The wire body is {code, message, ...info}; an agent-side error keeps the same fields under info.
  const info = isJsonObject(body.info) ? body.info : body;
  const nested = typeof body.error === 'string' ? body.error : typeof info.error === 'string' ? info.error : '';
  const mapped = ownValue(LOGIN_RESULTS, nested);
  return {
    result: mapped ?? 'UNKNOWN',
    code,
    nested,
    ...(mapped === undefined ? { nestedUnmapped: true as const } : {}),
  };
}

/** A login package with no company or no team is USER_NOT_IN_COMPANY (contract §6.2 item 4). */
export function successResultOf(body: Record<string, unknown>): 'SUCCESS' | 'USER_NOT_IN_COMPANY' {
  const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  return count(body.companies) === 0 || count(body.teams) === 0 ? 'USER_NOT_IN_COMPANY' : 'SUCCESS';
}

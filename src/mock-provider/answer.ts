/** Token-endpoint answers in the profile's wire shape: success bodies, error envelopes, encodings. */
import type { Request, Response } from 'express';
import type { TokenProfile } from '../profiles/profile.js';
import { defined } from '../util/defined.js';
import { isJsonObject } from '../util/json.js';
import type { OAuthError } from './errors.js';
import type { IssuedToken } from './grants.js';

/** The values "{…}" placeholders of a response template stand for. */
export interface AnswerValues {
  token: IssuedToken;
  /** The authorize request's parameters ("{param.user_scope}"); empty for refresh grants. */
  params: Record<string, string>;
  /** Whether authorize carried the profile's serverTokenParameters (Slack's bot scope). */
  serverToken: boolean;
  /** The no-access-token fault: the answer leaves the user token out. */
  withoutAccessToken: boolean;
  /** Whether to include the refresh token (a refresh without rotation answers none). */
  withRefreshToken: boolean;
}

/** Builds a success answer: the profile's template if it has one, else RFC 6749 §5.1's flat shape. */
export function successBody(t: TokenProfile, v: AnswerValues): Record<string, unknown> {
  const accessToken = v.withoutAccessToken ? undefined : v.token.accessToken;
  const refreshToken = v.withRefreshToken ? v.token.refreshToken : undefined;
  if (t.responseTemplate === undefined) {
    return {
      ...defined({ access_token: accessToken }),
      ...t.responseFields,
      ...defined({ expires_in: t.expiresIn, refresh_token: refreshToken }),
    };
  }
  const values: Record<string, unknown> = {
    accessToken,
    refreshToken,
    serverToken: v.token.serverToken,
    expiresIn: t.expiresIn,
  };
  for (const [k, value] of Object.entries(v.params)) values[`param.${k}`] = value;
  const user = fill(t.responseTemplate, values);
  const server = v.serverToken && t.serverTokenTemplate ? fill(t.serverTokenTemplate, values) : {};
  return { ...(isJsonObject(user) ? user : {}), ...(isJsonObject(server) ? server : {}) };
}

// A string that is exactly "{name}" becomes that value; a field whose value is undefined is left out.
function fill(template: unknown, values: Record<string, unknown>): unknown {
  if (typeof template === 'string') {
    const match = /^\{([\w.]+)\}$/.exec(template);
    return match ? values[match[1] ?? ''] : template;
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, values));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(template)) {
      const filled = fill(item, values);
      if (filled !== undefined) out[k] = filled;
    }
    return out;
  }
  return template;
}

/** RFC 6749 §5.2 {error, error_description}, or Slack's {ok:false, error}; provider names replace the RFC ones. */
export function errorBody(t: TokenProfile, err: OAuthError, redirectMismatch: boolean): Record<string, unknown> {
  const names = t.errorNames;
  const renamed: Record<string, string> = {
    invalid_client: names.invalidClient,
    invalid_grant: names.invalidGrant,
    invalid_request: names.invalidRequest,
  };
  const error = redirectMismatch ? names.redirectUriMismatch : (renamed[err.error] ?? err.error);
  if (t.errorShape === 'ok-envelope') return { ok: false, error, ...t.errorFields };
  return { error, error_description: err.description, ...t.errorFields };
}

/** RFC 6749 §5.1: no-store on every token answer; GitHub answers form-encoded unless JSON is accepted. */
export function sendAnswer(
  t: TokenProfile | undefined,
  req: Request,
  res: Response,
  status: number,
  payload: Record<string, unknown>,
): void {
  res.status(status).set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  const wantsJson = (req.headers.accept ?? '').includes('application/json');
  if (t?.responseEncoding === 'form-unless-json-accepted' && !wantsJson) {
    const form = new URLSearchParams(
      Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    return void res.type('application/x-www-form-urlencoded').send(form.toString());
  }
  res.json(payload);
}

/** The token endpoint: code and refresh grants, single-use codes, PKCE, rotation, the profile's wire format. */
import { createHash } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import type { TokenProfile } from '../profiles/profile.js';
import { errorBody, sendAnswer, successBody } from './answer.js';
import { readBody } from './body.js';
import { authenticateClient } from './client-auth.js';
import type { ProviderContext } from './context.js';
import { takeFault } from './context.js';
import { OAuthError, ProviderHttpError, invalidGrant, invalidRequest, statusFault } from './errors.js';
import type { CodeGrant, IssuedToken } from './grants.js';
import { journalEntryOf, paramsOf, rawQueryOf } from './journal.js';

const REFRESH_GRANT = 'refresh_token';

export function registerToken(router: Router, ctx: ProviderContext): void {
  const t = ctx.profile.token;
  if (t === undefined) return; // OAuth 1.0a and fragment providers have no token endpoint
  router.post(t.path, async (req: Request, res: Response) => {
    // note: this request's own entry, not requests.at(-1), which a concurrent request may have replaced.
    const entry = journalEntryOf(res);
    let refreshing = false;
    try {
      // A body that does not parse is an OAuth error in the profile's wire format like any other.
      const body = await readBody(req);
      if (entry)
        Object.assign(entry, {
          rawBody: body.raw,
          body: body.params,
          format: body.format === 'none' ? 'query' : body.format,
        });
      const params: Record<string, string> = { ...(entry?.query ?? {}), ...body.params };
      // RFC 6749 §3.1: a parameter sent twice (in the body, the query, or one in each) is invalid_request.
      const query = paramsOf(new URLSearchParams(rawQueryOf(req)));
      const repeated = [
        ...new Set([
          ...query.repeated,
          ...body.repeated,
          ...Object.keys(body.params).filter((k) => Object.hasOwn(query.params, k)),
        ]),
      ];
      if (repeated.length > 0) throw invalidRequest(`${repeated.map((n) => `"${n}"`).join(', ')} sent more than once`);
      refreshing = params.grant_type === REFRESH_GRANT;
      const fault = takeFault(ctx, 'token');
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === 'status') throw statusFault(fault.status, fault.body ?? 'provider failure');
      if (fault?.kind === 'oauth-error') throw new OAuthError(400, fault.error, fault.description ?? fault.error);
      const withoutAccessToken = fault?.kind === 'no-access-token';
      const omit = fault?.kind === 'omit-fields' ? fault.fields : [];
      if (refreshing) {
        const { token, rotated } = refresh(ctx, t, req, params);
        const payload = successBody(t, {
          token,
          params: {},
          serverToken: false,
          withoutAccessToken,
          withRefreshToken: rotated,
        });
        return void sendAnswer(t, req, res, 200, payload);
      }
      const grant = exchangeCode(ctx, t, req, params);
      const serverToken = Object.keys(ctx.profile.authorize.serverTokenParameters).some(
        (k) => grant.params[k] !== undefined,
      );
      const token = ctx.grants.issueToken(grant, {
        kind: 'code',
        accessPrefix: t.accessTokenPrefix,
        refreshPrefix: t.refreshTokenPrefix,
        serverPrefix: serverToken ? t.serverTokenPrefix : undefined,
      });
      const payload = successBody(t, {
        token,
        params: grant.params,
        serverToken,
        withoutAccessToken,
        withRefreshToken: true,
      });
      for (const field of omit) delete payload[field];
      if (fault?.kind === 'extra-field') payload[fault.name] = 'x'.repeat(fault.bytes);
      sendAnswer(t, req, res, 200, payload);
    } catch (err) {
      throw err instanceof OAuthError ? tokenError(t, err, refreshing) : err;
    }
  });
}

/** An OAuth error in the profile's wire format: its envelope, its status, Basic's challenge on a 401. */
function tokenError(t: TokenProfile, err: OAuthError, refreshing: boolean): ProviderHttpError {
  const fixed = refreshing ? (t.refresh.errorStatus ?? t.errorStatus) : t.errorStatus;
  const status = fixed === 400 ? err.status : fixed;
  const headers: Record<string, string> = status === 401 ? { 'WWW-Authenticate': 'Basic realm="token"' } : {};
  const body = errorBody(t, err, err instanceof RedirectMismatch);
  return new ProviderHttpError(status, { kind: 'token', token: t, body }, headers);
}

function exchangeCode(ctx: ProviderContext, t: TokenProfile, req: Request, params: Record<string, string>): CodeGrant {
  const client = authenticateClient(ctx, t, req, params);
  const grantType = params.grant_type;
  if (grantType !== undefined && grantType !== t.grantType) {
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported`);
  }
  if (grantType === undefined && t.sendGrantType) throw invalidRequest('"grant_type" is required');
  const code = params[t.codeParameter];
  if (!code) throw invalidRequest(`"${t.codeParameter}" is required`);
  const grant = ctx.grants.codes.get(code);
  // note: the code itself is never echoed in error text (oauth-rules-and-quirks §3.2).
  if (!grant) throw invalidGrant('the authorization code is unknown');
  if (grant.used) {
    ctx.grants.revokeFrom(grant);
    throw invalidGrant('the authorization code was already used; tokens issued from it are revoked');
  }
  if (ctx.now() > grant.expiresAt) throw invalidGrant('the authorization code has expired');
  if (grant.clientId !== client.clientId) throw invalidGrant('the authorization code was issued to another client');
  // RFC 6749 §4.1.3: identical redirect_uri when it was sent to authorize.
  if (params.redirect_uri !== grant.redirectUri) throw redirectError(params.redirect_uri);
  checkPkce(grant, params.code_verifier);
  return grant;
}

/**
 * RFC 6749 §6 with rotation where the profile says (RFC 9700 §4.14.2): reuse of a rotated token revokes the
 * family.
 */
function refresh(
  ctx: ProviderContext,
  t: TokenProfile,
  req: Request,
  params: Record<string, string>,
): { token: IssuedToken; rotated: boolean } {
  if (!ctx.profile.supportsRefresh)
    throw new OAuthError(400, 'unsupported_grant_type', 'this provider issues no refresh tokens');
  const client = authenticateClient(ctx, t, req, params);
  const presented = params[t.refresh.parameter];
  if (!presented) throw invalidRequest(`"${t.refresh.parameter}" is required`);
  const old = ctx.grants.byRefreshToken(presented);
  if (!old || old.revoked) throw invalidGrant('Unknown or invalid refresh token.');
  if (old.clientId !== client.clientId) throw invalidGrant('the refresh token was issued to another client');
  if (old.refreshUsed) {
    for (const token of ctx.grants.issuedFrom(old.code)) token.revoked = true;
    throw invalidGrant('the refresh token was already used; its token family is revoked');
  }
  const rotate = t.refresh.rotate;
  const token = ctx.grants.issueToken(
    { code: old.code, clientId: old.clientId },
    {
      kind: 'refresh',
      accessPrefix: t.accessTokenPrefix,
      refreshPrefix: rotate ? (t.refreshTokenPrefix ?? '') : undefined,
    },
  );
  if (rotate) old.refreshUsed = true;
  // Without rotation the old refresh token stays the valid one; the new record points at it.
  else if (old.refreshToken !== undefined) token.refreshToken = old.refreshToken;
  return { token, rotated: rotate };
}

function checkPkce(grant: CodeGrant, verifier: string | undefined): void {
  if (grant.codeChallenge === undefined) {
    // RFC 9700 §4.8: a verifier without a challenge is a downgrade attempt.
    if (verifier !== undefined)
      throw invalidGrant('code_verifier sent but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw invalidGrant('"code_verifier" is required for this code'); // RFC 9700 §2.1.1
  const computed = createHash('sha256').update(verifier).digest('base64url');
  // RFC 7636 §4.6
  if (computed !== grant.codeChallenge) throw invalidGrant('code_verifier does not match the code_challenge');
}

class RedirectMismatch extends OAuthError {}
function redirectError(got: string | undefined): OAuthError {
  return new RedirectMismatch(
    400,
    'invalid_grant',
    `redirect_uri "${got ?? ''}" differs from the one sent to authorize`,
  );
}

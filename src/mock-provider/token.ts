/** The token endpoint: client authentication, single-use codes, PKCE, the profile's wire format. */
import { createHash } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { readBody } from './body.js';
import type { ProviderContext } from './context.js';
import { takeFault } from './context.js';
import { OAuthError, invalidClient, invalidGrant, invalidRequest } from './errors.js';
import type { CodeGrant } from './grants.js';
import { journalEntryOf } from './journal.js';

export function registerToken(router: Router, ctx: ProviderContext): void {
  router.post(ctx.profile.token.path, async (req: Request, res: Response) => {
    // note: this request's own entry, not requests.at(-1), which a concurrent request may have replaced.
    const entry = journalEntryOf(res);
    try {
      // A body that does not parse is an OAuth error in the profile's wire format like any other.
      const body = await readBody(req);
      if (entry) Object.assign(entry, { rawBody: body.raw, body: body.params, format: body.format === 'none' ? 'query' : body.format });
      const params: Record<string, string> = { ...(entry?.query ?? {}), ...body.params };
      const fault = takeFault(ctx, 'token');
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === 'status') return void res.status(fault.status).type('text').send(fault.body ?? 'provider failure');
      if (fault?.kind === 'oauth-error') throw new OAuthError(400, fault.error, fault.description ?? fault.error);
      const grant = exchange(ctx, req, params);
      const token = ctx.grants.issueToken(grant, ctx.profile.token.accessTokenPrefix, ctx.profile.token.refreshTokenPrefix);
      const answer: Record<string, unknown> = {
        ...(fault?.kind === 'no-access-token' ? {} : { access_token: token.accessToken }),
        ...ctx.profile.token.responseFields,
        ...(ctx.profile.token.expiresIn === undefined ? {} : { expires_in: ctx.profile.token.expiresIn }),
        ...(token.refreshToken === undefined ? {} : { refresh_token: token.refreshToken }),
      };
      send(ctx, req, res, 200, answer);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      const names = ctx.profile.token.errorNames;
      const error = ({ invalid_client: names.invalidClient, invalid_grant: names.invalidGrant, invalid_request: names.invalidRequest } as Record<string, string>)[err.error] ?? err.error;
      const status = ctx.profile.token.errorStatus === 400 ? err.status : ctx.profile.token.errorStatus;
      if (status === 401) res.set('WWW-Authenticate', 'Basic realm="token"');
      send(ctx, req, res, status, { error: redirectMismatch(err) ? names.redirectUriMismatch : error, error_description: err.description });
    }
  });
}

function exchange(ctx: ProviderContext, req: Request, params: Record<string, string>): CodeGrant {
  const { clientId, clientSecret } = clientCredentials(ctx, req, params);
  const client = ctx.clients.find((c) => c.clientId === clientId);
  if (!client || client.clientSecret !== clientSecret) throw invalidClient(`client "${clientId ?? ''}" failed authentication`);
  const grantType = params.grant_type;
  if (grantType !== undefined && grantType !== 'authorization_code') {
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type "${grantType}" is not supported`);
  }
  if (grantType === undefined && ctx.profile.token.sendGrantType) throw invalidRequest('"grant_type" is required');
  const code = params[ctx.profile.token.codeParameter];
  if (!code) throw invalidRequest(`"${ctx.profile.token.codeParameter}" is required`);
  const grant = ctx.grants.codes.get(code);
  // note: the code itself is never echoed in error text (oauth-rules-and-quirks §3.2).
  if (!grant) throw invalidGrant('the authorization code is unknown');
  if (grant.used) {
    ctx.grants.revokeFrom(grant);
    throw invalidGrant('the authorization code was already used; tokens issued from it are revoked');
  }
  if (ctx.now() > grant.expiresAt) throw invalidGrant('the authorization code has expired');
  if (grant.clientId !== clientId) throw invalidGrant('the authorization code was issued to another client');
  // RFC 6749 §4.1.3: identical redirect_uri when it was sent to authorize.
  if (params.redirect_uri !== grant.redirectUri) throw redirectError(params.redirect_uri);
  checkPkce(grant, params.code_verifier);
  return grant;
}

function checkPkce(grant: CodeGrant, verifier: string | undefined): void {
  if (grant.codeChallenge === undefined) {
    // RFC 9700 §4.8: a verifier without a challenge is a downgrade attempt.
    if (verifier !== undefined) throw invalidGrant('code_verifier sent but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw invalidGrant('"code_verifier" is required for this code'); // RFC 9700 §2.1.1
  const computed = createHash('sha256').update(verifier).digest('base64url');
  if (computed !== grant.codeChallenge) throw invalidGrant('code_verifier does not match the code_challenge'); // RFC 7636 §4.6
}

function clientCredentials(ctx: ProviderContext, req: Request, params: Record<string, string>): { clientId?: string; clientSecret?: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      // RFC 6749 §2.3.1: both halves are form-urlencoded; a bad escape is a failed authentication, not a 500.
      try {
        return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
      } catch {
        throw invalidClient('the Basic credentials are not valid percent-encoding');
      }
    }
  }
  const out: { clientId?: string; clientSecret?: string } = {};
  if (params.client_id !== undefined) out.clientId = params.client_id;
  const secret = params[ctx.profile.token.secretParameter];
  if (secret !== undefined) out.clientSecret = secret;
  return out;
}

class RedirectMismatch extends OAuthError {}
function redirectError(got: string | undefined): OAuthError {
  return new RedirectMismatch(400, 'invalid_grant', `redirect_uri "${got ?? ''}" differs from the one sent to authorize`);
}
function redirectMismatch(err: OAuthError): boolean {
  return err instanceof RedirectMismatch;
}

/** RFC 6749 §5.1: no-store on every token answer; GitHub answers form-encoded unless JSON is accepted. */
function send(ctx: ProviderContext, req: Request, res: Response, status: number, payload: Record<string, unknown>): void {
  res.status(status).set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
  const wantsJson = (req.headers.accept ?? '').includes('application/json');
  if (ctx.profile.token.responseEncoding === 'form-unless-json-accepted' && !wantsJson) {
    const form = new URLSearchParams(Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    return void res.type('application/x-www-form-urlencoded').send(form.toString());
  }
  res.json(payload);
}

/**
 * OAuth 1.0a as Jira Server runs it (RFC 5849): request token, authorize with consent, access token, every
 * server-to-server call signed with RSA-SHA1 by a registered consumer. Errors use the oauth_problem
 * reporting extension Jira answers with (401, form-encoded).
 */
import { capMap } from '../util/ring.js';
import type { Request, Response, Router } from 'express';
import { parseAuthorizationHeader, signatureBaseString, verifySignature } from '../protocol/oauth1-signature.js';
import type { OAuth1Config } from '../profiles/parts.js';
import { readBody } from './body.js';
import type { ProviderContext, RegisteredClient } from './context.js';
import { takeFault } from './context.js';
import { randomToken, type RequestToken } from './grants.js';
import { journalEntryOf, queryOf, rawQueryOf } from './journal.js';
import { renderConsent } from './consent-page.js';
import { OAuthError, ProviderHttpError, redirectAnswer } from './errors.js';
import { appendParams } from './redirect-uri.js';

// RFC 5849 §3.3: timestamps far off are refused, and a nonce is used once per timestamp.
const CLOCK_SKEW_S = 300;
const REQUEST_TOKEN_LIFETIME_MS = 10 * 60 * 1000;

/** The oauth_problem reporting extension Jira answers with: 401, form-encoded. */
class OAuth1Problem extends ProviderHttpError {
  constructor(problem: string, advice: string) {
    super(401, { kind: 'form', fields: { oauth_problem: problem, oauth_problem_advice: advice } });
  }
}

/** Mounts request-token, authorize and access-token for a profile with an oauth1 block. */
export function registerOAuth1(router: Router, ctx: ProviderContext, o: OAuth1Config): void {
  const nonces = new Set<string>();
  router.post(o.requestTokenPath, (req, res) =>
    answer(res, async () => {
      const { consumer, params } = await verifySigned(ctx, req, res, nonces);
      const token: RequestToken = {
        token: randomToken('', 16),
        secret: randomToken('', 16),
        consumerKey: consumer.clientId,
        callback: params.get('oauth_callback') ?? 'oob',
        issuedAt: ctx.now(),
        expiresAt: ctx.now() + REQUEST_TOKEN_LIFETIME_MS,
        authorized: false,
        used: false,
      };
      ctx.grants.requestTokens.set(token.token, token);
      capMap(ctx.grants.requestTokens, ctx.recordCap);
      const entry = journalEntryOf(res);
      if (entry) entry.issuedRequestToken = token.token;
      return { oauth_token: token.token, oauth_token_secret: token.secret, oauth_callback_confirmed: 'true' };
    }),
  );

  router.get(ctx.profile.authorize.path, (req, res) => {
    const query = queryOf(rawQueryOf(req));
    const { token, consumer, callback } = authorizeRequest(ctx, o, query);
    if (takeFault(ctx, 'authorize')?.kind === 'deny')
      throw redirectAnswer(
        302,
        appendParams(callback, { oauth_token: token.token, oauth_problem: 'permission_denied' }),
      );
    if (ctx.consent === 'page') {
      return void renderConsent(
        res,
        ctx,
        { client: consumer, redirectUri: callback, state: undefined, scope: undefined, params: query },
        rawQueryOf(req),
      );
    }
    res.redirect(302, approveRequestToken(token, callback));
  });

  router.post(o.accessTokenPath, (req, res) =>
    answer(res, async () => {
      const { consumer, params } = await verifySigned(ctx, req, res, nonces);
      const token = ctx.grants.requestTokens.get(params.get('oauth_token') ?? '');
      if (!token || token.consumerKey !== consumer.clientId)
        throw new OAuth1Problem('token_rejected', 'the request token is unknown');
      if (token.used) throw new OAuth1Problem('token_used', 'the request token was already exchanged');
      if (!token.authorized) throw new OAuth1Problem('permission_unknown', 'the request token was not authorized');
      if (ctx.now() > token.expiresAt) throw new OAuth1Problem('token_expired', 'the request token has expired');
      const verifier = params.get('oauth_verifier');
      // note: CodeStream sends no verifier (contract §1.5 step 2); the profile says whether Jira insists.
      if (verifier === undefined ? o.verifierRequired : verifier !== token.verifier)
        throw new OAuth1Problem('verifier_invalid', 'oauth_verifier is missing or wrong');
      token.used = true;
      const issued = ctx.grants.issueToken(
        { code: token.token, clientId: consumer.clientId },
        { kind: 'oauth1', accessPrefix: o.accessTokenPrefix },
      );
      issued.tokenSecret = randomToken('', 16);
      return { oauth_token: issued.accessToken, oauth_token_secret: issued.tokenSecret };
    }),
  );
}

/** The consent POST of an OAuth 1.0a authorize: approve marks the token, deny tells the callback. */
export function decideOAuth1(
  ctx: ProviderContext,
  o: OAuth1Config,
  query: Record<string, string>,
  approveIt: boolean,
): string {
  const { token, callback } = authorizeRequest(ctx, o, query);
  return approveIt
    ? approveRequestToken(token, callback)
    : appendParams(callback, { oauth_token: token.token, oauth_problem: 'permission_denied' });
}

function approveRequestToken(token: RequestToken, callback: string): string {
  token.authorized = true;
  token.verifier = randomToken('', 8);
  return appendParams(callback, { oauth_token: token.token, oauth_verifier: token.verifier });
}

// Problems with the token or the callback are never redirected: a page, as RFC 6749 §4.1.2.1 wants for OAuth 2.
function authorizeRequest(
  ctx: ProviderContext,
  o: OAuth1Config,
  query: Record<string, string>,
): { token: RequestToken; consumer: RegisteredClient; callback: string } {
  const token = ctx.grants.requestTokens.get(query.oauth_token ?? '');
  if (!token || token.used || ctx.now() > token.expiresAt) throw pageError('"oauth_token" is unknown, used or expired');
  const consumer = ctx.clients.find((c) => c.clientId === token.consumerKey);
  if (!consumer) throw pageError('the consumer of this request token is no longer registered');
  const callback = token.callback === 'oob' && o.callbackAt === 'authorize' ? query.oauth_callback : token.callback;
  if (callback === undefined || callback === 'oob') throw pageError('no "oauth_callback" was given');
  // note: the state rides in the callback's query (contract §2.2), so only origin and path must be registered.
  if (!consumer.redirectUris.some((r) => withoutQuery(r) === withoutQuery(callback)))
    throw pageError(`oauth_callback "${callback}" is not registered for this consumer`);
  return { token, consumer, callback };
}

async function verifySigned(
  ctx: ProviderContext,
  req: Request,
  res: Response,
  nonces: Set<string>,
): Promise<{ consumer: RegisteredClient; params: Map<string, string> }> {
  const body = await readBody(req);
  const entry = journalEntryOf(res);
  if (entry) Object.assign(entry, { rawBody: body.raw, body: body.params, format: body.format });
  const params = parseAuthorizationHeader(req.headers.authorization);
  if (!params) throw new OAuth1Problem('parameter_absent', 'an "Authorization: OAuth …" header is required');
  const consumer = ctx.clients.find(
    (c) => c.clientId === params.get('oauth_consumer_key') && c.publicKeyPem !== undefined,
  );
  if (!consumer?.publicKeyPem) throw new OAuth1Problem('consumer_key_unknown', 'the consumer key is not registered');
  if (params.get('oauth_signature_method') !== 'RSA-SHA1')
    throw new OAuth1Problem('signature_method_rejected', 'only RSA-SHA1 is accepted');
  const timestamp = Number(params.get('oauth_timestamp'));
  if (!Number.isFinite(timestamp) || Math.abs(ctx.now() / 1000 - timestamp) > CLOCK_SKEW_S)
    throw new OAuth1Problem('timestamp_refused', 'oauth_timestamp is too far off');
  const nonce = `${timestamp}:${params.get('oauth_nonce') ?? ''}`;
  if (nonces.has(nonce)) throw new OAuth1Problem('nonce_used', 'oauth_nonce was already used');
  const url = `${ctx.baseUrl}${req.originalUrl}`;
  const bodyPairs = body.format === 'formQuery' ? Object.entries(body.params) : [];
  const base = signatureBaseString(req.method, url, [...params, ...bodyPairs]);
  if (!verifySignature(base, params.get('oauth_signature') ?? '', consumer.publicKeyPem))
    throw new OAuth1Problem('signature_invalid', 'the RSA-SHA1 signature does not verify');
  nonces.add(nonce);
  return { consumer, params };
}

// A problem is thrown as an OAuth1Problem, which the app's error writer answers.
async function answer(res: Response, run: () => Promise<Record<string, string>>): Promise<void> {
  const fields = await run();
  res
    .status(200)
    .set('Cache-Control', 'no-store')
    .type('application/x-www-form-urlencoded')
    .send(new URLSearchParams(fields).toString());
}

// The app's error writer shows a non-redirectable OAuthError as a page, never a Location.
function pageError(message: string): OAuthError {
  return new OAuthError(400, 'invalid_request', message);
}

function withoutQuery(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}

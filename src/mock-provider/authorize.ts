/** The provider's authorize ("auth-me") endpoint: validate, consent, redirect with a code or a fragment token. */
import type { Request, Response, Router } from 'express';
import type { ProviderContext, RegisteredClient } from './context.js';
import { takeFault } from './context.js';
import { defined } from '../util/defined.js';
import { OAuthError, accessDenied, invalidRequest, redirectAnswer, unsupportedResponseType } from './errors.js';
import { paramsOf, rawQueryOf } from './journal.js';
import { renderConsent } from './consent-page.js';
import { appendFragment, appendParams, redirectUriMatches } from './redirect-uri.js';

/** The validated request, carried to the consent decision. */
export interface AuthorizeRequest {
  client: RegisteredClient;
  redirectUri: string;
  state: string | undefined;
  scope: string | undefined;
  /** Every authorize parameter, kept with the grant for answer templates. */
  params: Record<string, string>;
  codeChallenge?: string;
  codeChallengeMethod?: string;
}

export function registerAuthorize(router: Router, ctx: ProviderContext): void {
  router.get(ctx.profile.authorize.path, async (req: Request, res: Response) => {
    const { params: query, repeated } = paramsOf(new URLSearchParams(rawQueryOf(req)));
    const request = validateClient(ctx, query, repeated);
    try {
      validateRest(ctx, query, repeated);
      // A fault a flow queued for its own state (a sign-up's Deny) is taken by that flow's authorize only.
      const fault = takeFault(ctx, 'authorize', query.state);
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === 'deny') throw accessDenied();
      if (fault?.kind === 'oauth-error') throw new OAuthError(400, fault.error, fault.description ?? fault.error, true);
      if (ctx.consent === 'page') return void renderConsent(res, ctx, request, rawQueryOf(req));
      res.redirect(302, approve(ctx, request, { withToken: fault?.kind !== 'no-fragment-token' }));
    } catch (err) {
      // RFC 6749 §4.1.2.1: once client and redirect_uri are trusted, errors go back to it, with the state.
      if (err instanceof OAuthError && err.redirectable)
        throw redirectAnswer(302, errorRedirect(ctx, request, err.error, err.description));
      throw err;
    }
  });
}

/** Issues the code (or, for fragment providers, the token itself) and returns the redirect back to the client. */
export function approve(ctx: ProviderContext, request: AuthorizeRequest, { withToken = true } = {}): string {
  const delivery = ctx.profile.delivery;
  if (delivery.mode === 'fragment' && !withToken) {
    // Contract failure mode 13: back to the client with no token in the fragment.
    return appendFragment(request.redirectUri, {
      ...delivery.fragmentFields,
      ...(delivery.stateInFragment ? { state: request.state } : {}),
    });
  }
  if (delivery.mode === 'fragment') {
    // RFC 6749 §4.2.2: the implicit grant puts the token in the fragment, which never reaches a server.
    const token = ctx.grants.issueToken(
      { code: '', clientId: request.client.clientId },
      { kind: 'implicit', accessPrefix: delivery.accessTokenPrefix },
    );
    return appendFragment(request.redirectUri, {
      [delivery.tokenField]: token.accessToken,
      ...delivery.fragmentFields,
      ...(delivery.stateInFragment ? { state: request.state } : {}),
    });
  }
  const grant = ctx.grants.issueCode(
    {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      scope: request.scope,
      state: request.state,
      params: request.params,
      ...defined({ codeChallenge: request.codeChallenge, codeChallengeMethod: request.codeChallengeMethod }),
    },
    ctx.profile.rules.codeLifetimeSeconds,
  );
  return appendParams(request.redirectUri, { code: grant.code, state: request.state });
}

/**
 * Where an error goes once the client is trusted: the query, or the fragment for fragment providers
 * (RFC 6749 §4.2.2.1).
 */
export function errorRedirect(
  ctx: ProviderContext,
  request: AuthorizeRequest,
  error: string,
  description: string,
): string {
  const params = { error, error_description: description, state: request.state };
  return ctx.profile.delivery.mode === 'fragment'
    ? appendFragment(request.redirectUri, params)
    : appendParams(request.redirectUri, params);
}

/** client_id and redirect_uri problems are never redirected (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2). */
export function validateClient(
  ctx: ProviderContext,
  query: Record<string, string>,
  repeated: readonly string[] = [],
): AuthorizeRequest {
  const { clientIdParameter, redirectUriParameter } = ctx.profile.authorize;
  // RFC 6749 §3.1: no parameter more than once; a doubled client_id or redirect_uri leaves nobody to redirect to.
  for (const name of [clientIdParameter, redirectUriParameter])
    if (repeated.includes(name)) throw invalidRequest(`"${name}" is sent more than once`);
  const clientId = query[clientIdParameter];
  if (!clientId) throw invalidRequest(`"${clientIdParameter}" is required`);
  const client = ctx.clients.find((c) => c.clientId === clientId);
  if (!client) throw new OAuthError(400, 'invalid_client', `${clientIdParameter} "${clientId}" is not registered`);
  const redirectUri = query[redirectUriParameter];
  if (!redirectUri) throw invalidRequest(`"${redirectUriParameter}" is required`);
  const mode = ctx.profile.rules.redirectUriMatch;
  if (!client.redirectUris.some((r) => redirectUriMatches(redirectUri, r, mode))) {
    throw new OAuthError(400, 'invalid_request', `redirect_uri "${redirectUri}" is not registered for this client`);
  }
  return {
    client,
    redirectUri,
    state: query.state,
    scope: query[ctx.profile.authorize.scopeParameter],
    params: query,
    ...defined({ codeChallenge: query.code_challenge, codeChallengeMethod: query.code_challenge_method }),
  };
}

function validateRest(ctx: ProviderContext, query: Record<string, string>, repeated: readonly string[]): void {
  if (repeated.length > 0)
    throw invalidRequest(`${repeated.map((n) => `"${n}"`).join(', ')} sent more than once`, true);
  const expected = ctx.profile.authorize.responseType;
  if (query.response_type !== expected) throw unsupportedResponseType(query.response_type ?? '');
  const method = query.code_challenge_method;
  // RFC 7636 §4.4.1 + RFC 9700 §2.1.1: only S256 is accepted here.
  if (query.code_challenge !== undefined && method !== 'S256') {
    throw invalidRequest(`code_challenge_method "${method ?? 'plain'}" is not supported, use S256`, true);
  }
}

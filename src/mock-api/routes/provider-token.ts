/**
 * GET /no-auth/provider-token/:provider, the OAuth callback (contract §1.5), in the contract's
 * order of checks so that error precedence matches the real server.
 */
import type { Request, Response, Router } from 'express';
import { decodeState, StateError } from '../../state.js';
import type { ApiContext } from '../context.js';
import { CsError, WebErrorRedirect, csError } from '../cs-errors.js';
import { sendFragmentHopPage } from './fragment-page.js';
import { queryString, requiredQueryString } from '../http.js';
import { decodeToken, verifyToken } from '../pauth.js';
import { saveConnectToken, saveServerToken, storageSuffix, successLocation } from '../save-token.js';
import { connectTokenFor } from '../outbound/token-source.js';
import { resolveClient } from '../outbound/provider-client.js';
import { sharingWriteFor } from '../outbound/sharing-call.js';

/** What a callback knows once its state was read; the sign-up branch receives this too. */
export interface CallbackInfo {
  provider: string;
  state: string;
  code: string;
  /** The pauth payload: verified when the callback got this far, decoded-only in onError. */
  payload: Record<string, unknown>;
}

export interface CallbackHooks {
  /** The anonymous (SSO / sign-up) branch, for userId "anon" (contract §1.5 step 8). */
  anon?: (ctx: ApiContext, info: CallbackInfo, req: Request, res: Response) => Promise<void>;
  /** Runs after every failed callback, e.g. to write the signup record (contract §1.5 step 11). */
  onError?: (
    ctx: ApiContext,
    failure: {
      provider: string;
      code: string;
      providerError?: string;
      payload: Record<string, unknown> | null;
      req: Request;
    },
  ) => void;
}

export function registerProviderToken(router: Router, ctx: ApiContext, hooks: CallbackHooks = {}): void {
  router.get('/no-auth/provider-token/:provider', async (req, res) => {
    const provider = String(req.params.provider).toLowerCase();
    const state = queryString(req, 'state');
    try {
      await handleCallback(ctx, hooks, req, res, provider, state);
    } catch (err) {
      if (err instanceof WebErrorRedirect) throw err;
      const code = err instanceof CsError ? err.code : 'SWEB-1004';
      const payload = state === undefined ? null : payloadOf(state);
      hooks.onError?.(ctx, { provider, code, payload, req });
      // Contract §1.5 step 11: state=<state|0>, so an empty state reads as 0 like a missing one. An error
      // that is no CsError is the mock's own bug: SWEB-1004 on the wire, and the journal keeps it.
      throw new WebErrorRedirect(
        [
          ['state', state || '0'],
          ['code', code],
          ['provider', provider],
        ],
        err instanceof CsError ? undefined : err,
      );
    }
  });
}

async function handleCallback(
  ctx: ApiContext,
  hooks: CallbackHooks,
  req: Request,
  res: Response,
  provider: string,
  state: string | undefined,
): Promise<void> {
  const profile = ctx.profiles.get(provider);
  if (!profile) throw csError('PRVD-1000');
  if (queryString(req, 'invite_code') !== undefined || queryString(req, 'repo_info') !== undefined)
    throw csError('RAPI-1016');
  // Step 3: a fragment provider's first hop carries no token (it is in the fragment): answer the script page.
  const delivery = profile.delivery;
  if (
    delivery.mode === 'fragment' &&
    queryString(req, 'token') === undefined &&
    queryString(req, '_mockToken') === undefined
  ) {
    return sendFragmentHopPage(res, {
      target: `${ctx.authOrigin}/provider-token/${provider}`,
      tokenField: delivery.tokenField,
      state: state ?? '',
    });
  }
  // Throws RAPI-1001 for a missing or empty state, RAPI-1012 for a repeated one (contract §1).
  if (!state) return void requiredQueryString(req, 'state');
  const payload = await verifyState(ctx, state);

  const providerError = queryString(req, 'error');
  if (providerError !== undefined) {
    // Contract §1.5 step 5: USRC-1022 for providers without sign-up support, else the raw provider error.
    const noAllowSignup = !payload.suok && !profile.supportsSignup;
    hooks.onError?.(ctx, { provider, code: providerError, providerError, payload, req });
    throw new WebErrorRedirect([
      ['state', state],
      ['code', noAllowSignup ? 'USRC-1022' : providerError],
      ['provider', provider],
      ['providerError', noAllowSignup ? providerError : undefined],
    ]);
  }
  // Contract §1.10: code is optional; a code-flow callback without one goes to the exchange with '' and fails
  // there (RAPI-1010). OAuth 1.0a brings oauth_token, fragment providers a token.
  const code = queryString(req, 'code') ?? '';
  const info: CallbackInfo = { provider, state, code, payload };
  if (payload.userId === 'anon') {
    if (!hooks.anon) throw csError('PRVD-1004');
    return hooks.anon(ctx, info, req, res);
  }

  // Contract §1.5 step 6: load user and team.
  const user = ctx.store.users.get(String(payload.userId));
  if (!user || user.deactivated) throw csError('RAPI-1003', 'user');
  const teamId = String(payload.teamId);
  const team = ctx.store.teams.get(teamId);
  // The membership check runs first (contract §1.5 step 6), so a team that does not exist is RAPI-1010 too.
  if (!user.teamIds.includes(teamId)) throw csError('RAPI-1010', 'user not on team');
  if (!team || team.deactivated) throw csError('RAPI-1003', 'team');

  const { tokenData, serverToken, host } = await connectTokenFor(ctx, profile, info, req);
  const sharing = payload.sm === true;
  const keySuffix = storageSuffix(profile, { host, sharing, tokenData });
  // Contract §3.2: with sharing, the provider's user profile (Slack users.info) is read before anything is stored.
  const baseUrl = resolveClient(ctx, profile, teamId, host).baseUrl;
  const shared = await sharingWriteFor(ctx, profile, { sharing, tokenData, baseUrl });
  saveConnectToken(ctx, res, { user, teamId, provider, tokenData, keySuffix, ...shared });
  if (serverToken !== undefined) {
    const key = profile.storage.multipleKey;
    const sub = key === undefined ? undefined : tokenData.data?.[key];
    saveServerToken(ctx, res, { teamId, provider, subId: typeof sub === 'string' ? sub : undefined, serverToken });
  }
  res.redirect(302, successLocation(ctx, profile));
}

/** Contract §2.3: split on "!", verify the JWT, require type pauth or rauth, refuse ic/ri. */
async function verifyState(ctx: ApiContext, state: string): Promise<Record<string, unknown>> {
  let jwt: string;
  try {
    jwt = decodeState(state, { extraSegments: 'ignore' }).jwt;
  } catch (err) {
    if (err instanceof StateError) throw csError('AUTH-1002', { reason: err.message });
    throw err;
  }
  const payload = await verifyToken(jwt, { secret: ctx.config.secrets.auth, now: ctx.now });
  if (payload.type !== 'pauth' && payload.type !== 'rauth')
    throw csError('AUTH-1002', { reason: 'not a provider authorization token' });
  if (payload.ic !== undefined || payload.ri !== undefined) throw csError('RAPI-1016');
  return payload;
}

// Even a state that failed verification is decoded, so `st` is known to the failure record (contract §2.3).
function payloadOf(state: string): Record<string, unknown> | null {
  const jwt = state.split('!')[1];
  return jwt === undefined ? null : decodeToken(jwt);
}

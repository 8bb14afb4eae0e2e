/**
 * The provider's user-profile endpoint the API calls after a sharing connect (Slack's users.info,
 * contract §3.2), answered from the profile's sharingProfileCall block. It needs a Bearer token this
 * provider issued and did not revoke (RFC 6750 §3.1) and every query parameter the block names.
 */
import type { Request, Response, Router } from 'express';
import { renderSharingAnswer, type SharingProfileCall } from '../profiles/sharing.js';
import { takeFault, type ProviderContext } from './context.js';
import { ProviderHttpError, bearerError, statusFault } from './errors.js';
import { journalEntryOf } from './journal.js';

/** Mounts the call's GET route; a profile without the block gets none. */
export function registerProfileCall(router: Router, ctx: ProviderContext): void {
  const call = ctx.profile.sharingProfileCall;
  if (call === undefined) return;
  router.get(call.path, (req, res) => answer(ctx, call, req, res));
}

/** True for the path of the profile's sharing call (for the journal). */
export function isProfileCallPath(ctx: ProviderContext, path: string): boolean {
  return ctx.profile.sharingProfileCall?.path === path;
}

async function answer(ctx: ProviderContext, call: SharingProfileCall, req: Request, res: Response): Promise<void> {
  const fault = takeFault(ctx, 'profile');
  if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
  if (fault?.kind === 'status') throw statusFault(fault.status, fault.body ?? 'provider failure');
  const header = req.headers.authorization ?? '';
  const token = /^Bearer /i.test(header) ? header.slice(7).trim() : '';
  if (!token || !ctx.grants.isActive(token))
    throw refusal(ctx, 401, call.errorNames.invalidToken, 'the access token is unknown, expired or revoked');
  if (fault?.kind === 'oauth-error') throw refusal(ctx, 400, fault.error, fault.description ?? fault.error);
  const query = journalEntryOf(res)?.query ?? {};
  const missing = Object.keys(call.query).find((name) => query[name] === undefined || query[name] === '');
  if (missing !== undefined) throw refusal(ctx, 400, call.errorNames.invalidRequest, `"${missing}" is required`);
  res.set('Cache-Control', 'no-store').json(renderSharingAnswer(call, query));
}

// Slack's Web API answers every error with 200 and {ok:false, error} (the token block's envelope); others use
// RFC 6750.
function refusal(ctx: ProviderContext, status: number, error: string, description: string): ProviderHttpError {
  const t = ctx.profile.token;
  if (t?.errorShape === 'ok-envelope')
    return new ProviderHttpError(t.errorStatus, { kind: 'json', body: { ok: false, error } });
  return bearerError(status, error, description);
}

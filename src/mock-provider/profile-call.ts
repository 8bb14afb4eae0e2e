/**
 * The provider's user-profile endpoint the API calls after a sharing connect (Slack's users.info,
 * contract §3.2), answered from the profile's sharingProfileCall block. It needs a Bearer token this
 * provider issued and did not revoke (RFC 6750 §3.1) and every query parameter the block names.
 */
import type { Request, Response, Router } from 'express';
import { renderSharingAnswer, type SharingProfileCall } from '../profiles/sharing.js';
import { takeFault, type ProviderContext } from './context.js';
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
  if (fault?.kind === 'status')
    return void res
      .status(fault.status)
      .type('text')
      .send(fault.body ?? 'provider failure');
  const header = req.headers.authorization ?? '';
  const token = /^Bearer /i.test(header) ? header.slice(7).trim() : '';
  if (!token || !ctx.grants.isActive(token))
    return refuse(ctx, res, 401, call.errorNames.invalidToken, 'the access token is unknown, expired or revoked');
  if (fault?.kind === 'oauth-error') return refuse(ctx, res, 400, fault.error, fault.description ?? fault.error);
  const query = journalEntryOf(res)?.query ?? {};
  const missing = Object.keys(call.query).find((name) => query[name] === undefined || query[name] === '');
  if (missing !== undefined) return refuse(ctx, res, 400, call.errorNames.invalidRequest, `"${missing}" is required`);
  res.set('Cache-Control', 'no-store').json(renderSharingAnswer(call, query));
}

// Slack's Web API answers every error with 200 and {ok:false, error} (the token block's envelope); others use RFC 6750.
function refuse(ctx: ProviderContext, res: Response, status: number, error: string, description: string): void {
  const t = ctx.profile.token;
  if (t?.errorShape === 'ok-envelope') return void res.status(t.errorStatus).json({ ok: false, error });
  if (status === 401) res.set('WWW-Authenticate', `Bearer error="${error}", error_description="${description}"`);
  res.status(status).json({ error, error_description: description });
}

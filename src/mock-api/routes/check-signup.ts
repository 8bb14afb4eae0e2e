/**
 * PUT /no-auth/check-signup (contract §5): the IDE polls with its signup token. 403 AUTH-1006 while the
 * browser leg is still running, then exactly one answer, error or login package: the record is deleted
 * after its first answer either way (failure mode 22). Injected faults (ctx.faults) answer a 5xx or hold
 * the request before the record is read, so a failed call never uses up the record (failure mode 28).
 */
import type { Request, Router } from 'express';
import { defined } from '../../util/defined.js';
import { isJsonObject } from '../../util/json.js';
import type { ApiContext } from '../context.js';
import { ApiHttpError, csError, isCsErrorCode } from '../cs-errors.js';
import { loginPackage } from '../signup/login-package.js';
import type { SignupRecord } from '../signup/records.js';

export function registerCheckSignup(router: Router, ctx: ApiContext): void {
  router.put('/no-auth/check-signup', async (req, res) => {
    const fault = ctx.faults.checkSignup.shift();
    if (fault?.kind === 'status') throw new ApiHttpError(fault.status, { code: 'SWEB-1000' });
    if (fault?.kind === 'hang' && (await ctx.faults.hold((listener) => res.once('close', listener))) === 'closed')
      return;
    const body: Record<string, unknown> = isJsonObject(req.body) ? req.body : {};
    const token = body.token;
    if (token === undefined || token === null || token === '') throw csError('RAPI-1001', 'token');
    if (typeof token !== 'string') throw csError('RAPI-1012', 'token');
    if (body.nrAccountId !== undefined && typeof body.nrAccountId !== 'number')
      throw csError('RAPI-1012', 'nrAccountId');
    const record = ctx.signups.find(token);
    // Pending, unknown, garbage and reused tokens all look the same to the IDE.
    if (!record) throw csError('AUTH-1006');
    try {
      res.json(answer(ctx, record, req));
    } finally {
      // Under the token as sent (contract §1.10): a double-pasted token leaves its record in place.
      ctx.signups.remove(token);
    }
  });
}

/** A wire code outside the mock's catalogue (USRC-1032, UNKNOWN), in the same 403 {code, message, ...}. */
function wireError(code: string, message: string, extra: Record<string, unknown>): ApiHttpError {
  return new ApiHttpError(403, { code, message, ...extra });
}

// The decision order of contract §5's table.
function answer(ctx: ApiContext, record: SignupRecord, req: Request): Record<string, unknown> {
  if (record.error !== undefined) {
    if (record.sharing) {
      const extra = { providerError: record.providerError, provider: record.provider };
      if (isCsErrorCode(record.error)) throw csError(record.error, extra);
      throw wireError('UNKNOWN', 'unknown error', extra);
    }
    throw csError('USRC-1022', { error: record.error, provider: record.provider });
  }
  if (record.switchToServerUrl !== undefined)
    throw wireError('USRC-1032', 'switch to another server', { url: record.switchToServerUrl });
  if (record.expiresAt < ctx.now()) throw csError('AUTH-1005', 'signup token');
  const user = record.userId === null ? undefined : ctx.store.users.get(record.userId);
  if (!user || user.deactivated) throw csError('RAPI-1003', 'user');
  if (!user.isRegistered) throw csError('USRC-1010');
  // LoginHelper's first check (contract §5 decision table, failure mode 24).
  if (user.inMaintenanceMode === true) throw csError('USRC-1023');
  const origin = req.headers['x-cs-plugin-ide'];
  ctx.store.updateUser(user.id, {
    $set: { lastLogin: ctx.now(), ...(typeof origin === 'string' ? { lastOrigin: origin } : {}) },
  });
  const nrAccountId = isJsonObject(req.body) ? req.body.nrAccountId : undefined;
  return loginPackage(
    ctx,
    user.id,
    record,
    defined({ nrAccountId: typeof nrAccountId === 'number' ? nrAccountId : undefined }),
  );
}

/** GET /provider-auth-code (contract §1.2): the logged-in user's pauth JWT. */
import type { Router } from 'express';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import { queryString, requiredQueryString, requireUser } from '../http.js';
import { CONNECT_LIFETIME_S, signToken } from '../pauth.js';

export function registerAuthCode(router: Router, ctx: ApiContext): void {
  router.get('/provider-auth-code', async (req, res) => {
    const user = requireUser(ctx, req);
    const teamId = requiredQueryString(req, 'teamId');
    if (!user.teamIds.includes(teamId)) throw csError('RAPI-1009', { reason: 'user must be a member of the team' });
    const expiresIn = Number(queryString(req, 'expiresIn'));
    const fields: Record<string, unknown> = { userId: user.id, teamId };
    if (queryString(req, 'sharing') !== undefined) fields.sm = true;
    const code = await signToken(
      'pauth',
      fields,
      { secret: ctx.config.secrets.auth, now: ctx.now },
      CONNECT_LIFETIME_S,
      Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    );
    res.json({ code });
  });
}

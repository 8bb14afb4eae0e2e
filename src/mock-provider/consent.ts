/** The consent form's POST: Approve issues a code, Deny sends access_denied; 303, never 307 (RFC 9700 §4.12). */
import type { Request, Response, Router } from 'express';
import { approve, validateClient } from './authorize.js';
import { readBody } from './body.js';
import type { ProviderContext } from './context.js';
import { queryOf, rawQueryOf } from './journal.js';
import { appendParams } from './redirect-uri.js';

export function registerConsent(router: Router, ctx: ProviderContext): void {
  router.post(`${ctx.profile.authorize.path}/consent`, async (req: Request, res: Response) => {
    const request = validateClient(ctx, queryOf(rawQueryOf(req)));
    const { params } = await readBody(req);
    const target =
      params.decision === 'approve'
        ? approve(ctx, request)
        : appendParams(request.redirectUri, { error: 'access_denied', error_description: 'the user denied access', state: request.state });
    res.redirect(303, target);
  });
}

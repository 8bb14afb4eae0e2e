/** The consent form's POST: Approve issues a code, Deny sends access_denied; 303, never 307 (RFC 9700 §4.12). */
import type { Request, Response, Router } from 'express';
import { approve, errorRedirect, validateClient } from './authorize.js';
import { readBody } from './body.js';
import type { ProviderContext } from './context.js';
import { ProviderHttpError, redirectAnswer } from './errors.js';
import { queryOf, rawQueryOf } from './journal.js';
import { decideOAuth1 } from './oauth1-server.js';

export function registerConsent(router: Router, ctx: ProviderContext): void {
  router.post(`${ctx.profile.authorize.path}/consent`, async (req: Request, res: Response) => {
    const query = queryOf(rawQueryOf(req));
    const oauth1 = ctx.profile.oauth1;
    // The request is validated before the body is read, so a bad one never learns the decision.
    const request = oauth1 === undefined ? validateClient(ctx, query) : undefined;
    const { params } = await readBody(req);
    // Only the form's two buttons decide; anything else is a bad request, not a silent Deny.
    if (params.decision !== 'approve' && params.decision !== 'deny') {
      const html = '<p>The consent form sends decision=approve or decision=deny.</p>';
      throw new ProviderHttpError(400, { kind: 'page', title: 'Bad request', html });
    }
    const approved = params.decision === 'approve';
    let location: string;
    if (oauth1 !== undefined) location = decideOAuth1(ctx, oauth1, query, approved);
    else if (request === undefined) return;
    else if (approved) location = approve(ctx, request);
    else location = errorRedirect(ctx, request, 'access_denied', 'the user denied access');
    // A denial is an error answer (RFC 6749 §4.1.2.1), so the error writer sends it.
    if (!approved) throw redirectAnswer(303, location);
    res.redirect(303, location);
  });
}

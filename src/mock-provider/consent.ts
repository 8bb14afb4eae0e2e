/** The consent form's POST: Approve issues a code, Deny sends access_denied; 303, never 307 (RFC 9700 §4.12). */
import type { Request, Response, Router } from 'express';
import { approve, errorRedirect, validateClient } from './authorize.js';
import { readBody } from './body.js';
import type { ProviderContext } from './context.js';
import { queryOf, rawQueryOf } from './journal.js';
import { decideOAuth1 } from './oauth1-server.js';
import { sendPage } from '../util/html-page.js';

export function registerConsent(router: Router, ctx: ProviderContext): void {
  router.post(`${ctx.profile.authorize.path}/consent`, async (req: Request, res: Response) => {
    const query = queryOf(rawQueryOf(req));
    const oauth1 = ctx.profile.oauth1;
    // The request is validated before the body is read, so a bad one never learns the decision.
    const request = oauth1 === undefined ? validateClient(ctx, query) : undefined;
    const { params } = await readBody(req);
    // Only the form's two buttons decide; anything else is a bad request, not a silent Deny.
    if (params.decision !== 'approve' && params.decision !== 'deny')
      return void sendPage(res, 400, 'Bad request', '<p>The consent form sends decision=approve or decision=deny.</p>');
    const approved = params.decision === 'approve';
    if (oauth1 !== undefined) return void res.redirect(303, decideOAuth1(ctx, oauth1, query, approved));
    if (request === undefined) return;
    res.redirect(
      303,
      approved ? approve(ctx, request) : errorRedirect(ctx, request, 'access_denied', 'the user denied access'),
    );
  });
}

/** The result pages of contract §1.9, served although the real server has no live handler (contract "differs" #4). */
import type { Router } from 'express';
import { escapeHtml, sendPage } from '../../mock-provider/pages.js';
import type { ApiContext } from '../context.js';
import { queryString, redirectToError } from '../http.js';

const SPECIAL_TITLES: Record<string, string> = {
  'PRVD-1005': 'Account Not Found',
  'PRVD-1009': 'Application Missing',
  'PRVD-1010': 'Public Email Required',
  'USRC-1006': 'Already signed up',
};

export function registerPages(router: Router, ctx: ApiContext): void {
  router.get(['/web/error', '/no-auth/web/error'], (req, res) => {
    const code = queryString(req, 'code') ?? 'SWEB-1004';
    const provider = queryString(req, 'provider');
    const providerError = queryString(req, 'providerError');
    const name = provider === undefined ? undefined : (ctx.profiles.get(provider)?.displayName ?? provider);
    const title = SPECIAL_TITLES[code] ?? 'Authentication failed';
    const extra = providerError === undefined ? '' : ` (provider error: <b>${escapeHtml(providerError)}</b>)`;
    // note: the state query parameter is read and ignored, as the real page does.
    sendPage(res, 200, title, `<p>We could not authenticate you${name ? ` with ${escapeHtml(name)}` : ''} (error: <b>${escapeHtml(code)}</b>)${extra}.</p>`);
  });
  router.get('/web/provider-connected/:provider', (req, res) => {
    const provider = String(req.params.provider);
    const profile = ctx.profiles.get(provider);
    if (!profile) return void redirectToError(res, [['code', 'SWEB-1000'], ['provider', provider]]);
    sendPage(res, 200, `You are now connected to ${profile.displayName}`, '<p>Return to CodeStream in your IDE.</p>');
  });
}

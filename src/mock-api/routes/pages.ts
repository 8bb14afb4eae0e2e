/**
 * The result pages of contract §1.9, served although the real server has no live handler (contract
 * "differs" #4). Titles are the real pages'; the wording around them is ours.
 */
import type { Router } from 'express';
import { escapeHtml, sendPage } from '../../util/html-page.js';
import { ownValue } from '../../util/dotted.js';
import type { ApiContext } from '../context.js';
import { WebErrorRedirect } from '../cs-errors.js';
import { queryString } from '../http.js';

const RETURN_TO_IDE = '<p>Return to CodeStream in your IDE.</p>';

/** Codes with their own title and text instead of "Authentication failed" (contract §1.9). */
const SPECIAL_PAGES: Record<string, { title: string; body: (provider: string | undefined) => string }> = {
  'USRC-1015': {
    title: 'Multiple Workspaces',
    body: (p) =>
      `<p>For now you can belong to only one ${p === undefined ? 'third-party' : escapeHtml(p)}-connected team ` +
      'on CodeStream.</p>',
  },
  'USRC-1020': {
    title: 'Invitation conflict.',
    body: () => '<p>This invitation conflicts with your account; contact CodeStream support.</p>',
  },
  'PRVD-1005': {
    title: 'Account Not Found',
    body: () => '<p>No CodeStream account matches; return to your IDE and sign up.</p>',
  },
  'PRVD-1006': {
    title: 'Invalid Credentials',
    body: () => '<p>Sign in with your email address and CodeStream password instead.</p>',
  },
  'PRVD-1009': {
    title: 'Application Missing',
    body: () => '<p>No application is configured for this provider; ask your CodeStream administrator.</p>',
  },
  'PRVD-1010': {
    title: 'No primary email found',
    body: () =>
      '<p>Signing in with GitLab needs your primary GitLab email to be public ' +
      '(GitLab: Preferences, Profile, "Public email").</p>',
  },
  'USRC-1006': {
    title: 'Already signed up',
    body: () => '<p>You already have a CodeStream account; return to your IDE and sign in.</p>',
  },
};

export function registerPages(router: Router, ctx: ApiContext): void {
  router.get(['/web/error', '/no-auth/web/error'], (req, res) => {
    // note: the state query parameter is read and ignored, as the real page does.
    const code = queryString(req, 'code') ?? '';
    const providerError = queryString(req, 'providerError');
    const provider = queryString(req, 'provider');
    // Only a known provider is named; an arbitrary ?provider= never reaches the page text.
    const name = provider === undefined ? undefined : ctx.profiles.get(provider)?.displayName;
    const special = ownValue(SPECIAL_PAGES, code);
    if (special) return void sendPage(res, 200, special.title, special.body(name));
    // Contract §1.9: "(error: <b>CODE</b>)" names CodeStream's code; the provider's own error
    // (e.g. access_denied under USRC-1022) follows on its own line, as it is the one a user can act on.
    const withCode = code === '' ? '' : ` (error: <b>${escapeHtml(code)}</b>)`;
    const csCode =
      providerError !== undefined && providerError !== code
        ? `<p>Provider error: <code>${escapeHtml(providerError)}</code></p>`
        : '';
    const withName = name === undefined ? '' : ` with ${escapeHtml(name)}`;
    sendPage(
      res,
      200,
      'Authentication failed',
      `<p>We could not authenticate you${withName}${withCode}.</p>${csCode}<p>Return to your IDE to try again.</p>`,
    );
  });
  router.get('/web/provider-connected/:provider', (req, res) => {
    const provider = String(req.params.provider);
    const profile = ctx.profiles.get(provider);
    if (!profile)
      throw new WebErrorRedirect([
        ['code', 'SWEB-1000'],
        ['provider', provider],
      ]);
    sendPage(res, 200, `You are now connected to ${profile.displayName}`, RETURN_TO_IDE);
  });
  router.get('/web/signed-in', (_req, res) => sendPage(res, 200, 'You are now signed in to New Relic', RETURN_TO_IDE));
}

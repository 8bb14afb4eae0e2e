/** The provider's consent page (real-browser mode): who asks, for what, where the answer goes; Approve or Deny. */
import type { Response } from 'express';
import type { AuthorizeRequest } from './authorize.js';
import type { ProviderContext } from './context.js';
import { escapeHtml, sendPage } from '../util/html-page.js';

// The name the CodeStream OAuth app is registered under at every provider.
const APP_NAME = 'CodeStream';

/** Renders the consent form; it POSTs to `<authorize.path>/consent` with the authorize query unchanged. */
export function renderConsent(res: Response, ctx: ProviderContext, request: AuthorizeRequest, rawQuery: string): void {
  const scopes = (request.scope ?? '').split(/[ ,]+/).filter(Boolean);
  const name = escapeHtml(ctx.profile.displayName);
  const scopeList =
    scopes.length === 0
      ? '<p>No scopes (basic access only).</p>'
      : `<ul>${scopes.map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>`;
  sendPage(
    res,
    200,
    `Authorize ${APP_NAME} to use your ${ctx.profile.displayName} account`,
    `<p><strong>${APP_NAME}</strong> wants to connect to your ${name} account.</p>` +
      `<h2>Application</h2><p>${APP_NAME} (client id <code>${escapeHtml(request.client.clientId)}</code>)</p>` +
      `<h2>Access asked for</h2>${scopeList}` +
      `<h2>Where you go next</h2>` +
      `<p>Either answer sends you back to <code>${escapeHtml(request.redirectUri)}</code>.</p>` +
      // Buttons in a POST form: Tab reaches both, Enter or Space presses one; no script needed.
      `<form method="post" action="${escapeHtml(ctx.profile.authorize.path)}/consent?${escapeHtml(rawQuery)}">` +
      `<p><button type="submit" name="decision" value="approve">Approve</button> ` +
      `<button type="submit" name="decision" value="deny">Deny</button></p></form>` +
      `<p><small>This is the codestream-auth mock of ${name}: no real account or data is involved.</small></p>`,
    { formAction: [callbackChainSource(request.redirectUri)] },
  );
}

// The answer redirects to the redirect_uri (the router), which redirects on to an environment and its
// success page; all of them share the lab's host, on other ports.
function callbackChainSource(redirectUri: string): string {
  const url = new URL(redirectUri);
  return `${url.protocol}//${url.hostname}:*`;
}

/**
 * "Connect to X" in the user's own browser (`connect --browser`): the agent's steps are the headless
 * flow's, the hops in between are the browser's, so they are checked afterwards from the lab's journals.
 */
import type { UrlOpener } from '../agent-sim/real-browser.js';
import { FlowError } from '../errors.js';
import { decodeState } from '../state.js';
import { waitForCallback, type CallbackSeen } from './callback-watch.js';
import { queryShape } from './checks.js';
import { checkExchangeAndStore, connectSteps, expectedAuthorizeKeys, type ConnectContext } from './connect.js';
import type { Step, StepContext } from './runner.js';

export interface ConnectBrowserContext extends ConnectContext {
  openUrl: UrlOpener;
  /** How long the user has to approve or deny (default: the pauth's 10 minutes). */
  callbackTimeoutMs: number;
  // Learned along the way.
  startUrl?: string;
  since?: { api: number; router: number; provider: number };
  callback?: CallbackSeen;
}

const reuse = (id: string): Step<ConnectBrowserContext> => {
  const found = connectSteps.find((s) => s.id === id);
  if (!found) throw new Error(`connect has no step "${id}"`);
  return found as Step<ConnectBrowserContext>;
};

/** The start URL the agent hands to the browser (architecture §3 step 2; `--entry` picks the route). */
export function startUrlOf(ctx: ConnectContext): string {
  const path = ctx.entry === 'web' ? '/web/provider-auth' : '/no-auth/provider-auth';
  return `${ctx.api.url}${path}/${ctx.profile.id}?code=${encodeURIComponent(ctx.pauth ?? '')}`;
}

export const connectBrowserSteps: readonly Step<ConnectBrowserContext>[] = [
  reuse('login'),
  reuse('auth-code'),
  reuse('subscribe'),

  {
    id: 'open-browser',
    title: 'Agent hands the start URL to the browser',
    async run(ctx, s) {
      ctx.startUrl = startUrlOf(ctx);
      ctx.since = { api: ctx.api.ctx.requests.length, router: ctx.lab.router.hits.length, provider: ctx.provider.control.requests.length };
      s.note(`opening ${ctx.startUrl}`);
      await ctx.openUrl(ctx.startUrl);
      return 'approve or deny on the provider page';
    },
  },

  {
    id: 'wait-callback',
    title: 'Waiting for the browser to come back to the callback',
    async run(ctx, s) {
      const since = ctx.since ?? { api: 0, router: 0, provider: 0 };
      const seen = await waitForCallback({
        api: ctx.api,
        router: ctx.lab.router,
        provider: ctx.profile.id,
        since,
        timeoutMs: ctx.callbackTimeoutMs,
        signal: ctx.signal,
      });
      ctx.callback = seen;
      if (seen.kind === 'refused') {
        s.check('router routes the callback', false, 'a 302 to the environment', `${seen.hit.status}: ${seen.hit.reason ?? ''}`);
        return;
      }
      checkConsent(ctx, s, since.provider);
      s.expectEqual('callback answers 302', seen.record.status, 302);
      const location = new URL(seen.record.location ?? '', ctx.api.url);
      const errorCode = location.pathname === '/web/error' ? (location.searchParams.get('code') ?? '') : undefined;
      s.check('callback is not sent to /web/error', errorCode === undefined, 'a success redirect', `/web/error with code ${errorCode ?? ''}`);
      return `302 → ${location.pathname}`;
    },
  },

  {
    id: 'callback',
    title: 'API validated the state, exchanged the code, stored the token',
    async run(ctx, s) {
      const since = ctx.since ?? { api: 0, router: 0, provider: 0 };
      checkAuthorizeRequest(ctx, s, since.provider);
      const hit = ctx.lab.router.hits.slice(since.router).find((h) => h.path === `/no-auth/provider-token/${ctx.profile.id}`);
      s.expectEqual('router sent the callback to its environment', hit?.env, String(ctx.api.ctx.env.callbackEnvironment));
      const record = ctx.callback?.kind === 'callback' ? ctx.callback.record : undefined;
      if (!record) throw new FlowError('CHECK_FAILED', 'no callback was recorded', s.step);
      checkExchangeAndStore(ctx, s, new URLSearchParams(record.rawQuery).get('code'));
      const expected = ctx.api.ctx.successPage === 'api'
        ? `/web/provider-connected/${ctx.profile.id}`
        : `${ctx.lab.marketing.url}/auth-complete/${ctx.profile.authCompletePage ?? ctx.profile.id}`;
      s.expectEqual('success redirect', record.location, expected);
      return `token stored under providerInfo.${ctx.teamId}.${ctx.profile.id}`;
    },
  },

  reuse('broadcast'),
];

// RFC 9700 §4.12: the consent POST must be answered with 302 or 303, never 307 (which re-posts the form).
function checkConsent(ctx: ConnectBrowserContext, s: StepContext, since: number): void {
  const consent = ctx.provider.control.requests.slice(since).filter((r) => r.endpoint === 'consent').at(-1);
  if (consent === undefined) return void s.note('no consent form was posted (the provider approved without a page)');
  s.expectEqual('consent submitted with POST', consent.method, 'POST');
  s.check('consent answered 302 or 303, never 307', consent.status === 302 || consent.status === 303, '302 or 303', consent.status ?? 'none');
}

// The headless flow checks the authorize redirect on the hop; here the provider's journal shows what the browser sent.
function checkAuthorizeRequest(ctx: ConnectBrowserContext, s: StepContext, since: number): void {
  const authorize = ctx.provider.control.requests.slice(since).filter((r) => r.endpoint === 'authorize').at(-1);
  if (authorize === undefined) throw new FlowError('CHECK_FAILED', 'the provider saw no authorize request', s.step);
  const shape = queryShape(authorize.rawQuery);
  const keys = expectedAuthorizeKeys(ctx.profile).join(',');
  s.check('authorize parameter order', shape.keys.join(',') === keys, keys, shape.keys.join(','));
  s.check('every value encodeURIComponent-encoded', shape.badlyEncoded.length === 0, 'none', shape.badlyEncoded.join(','));
  ctx.redirectUri = shape.values.get('redirect_uri');
  s.expectEqual('redirect_uri is the auth origin', ctx.redirectUri, `${ctx.lab.authOrigin}/provider-token/${ctx.profile.id}`);
  ctx.sentState = shape.values.get('state') ?? '';
  const parts = decodeState(ctx.sentState);
  s.expectEqual('state segment 0: environment', parts.env, String(ctx.api.ctx.env.callbackEnvironment));
  s.expectEqual('state segment 1: the very pauth issued', parts.jwt, ctx.pauth);
}

/**
 * "Connect to X" in the user's own browser (`connect --browser`): the agent's steps are the headless
 * flow's, the hops in between are the browser's, so they are checked afterwards from the lab's journals.
 */
import type { UrlOpener } from '../agent-sim/real-browser.js';
import { AppError, FlowError } from '../errors.js';
import type { ApiRequestRecord } from '../mock-api/context.js';
import { decodeState } from '../state.js';
import { queryShape } from './checks.js';
import { checkExchangeAndStore, connectSteps, expectedAuthorizeKeys, type ConnectContext } from './connect.js';
import { LabWatch, type SeenRequest } from './lab-watch.js';
import type { Step, StepContext } from './runner.js';

// How long the lab stays up for the browser to load the page the callback sent it to, once the callback is done.
const LANDING_TIMEOUT_MS = 5000;

export interface ConnectBrowserContext extends ConnectContext {
  openUrl: UrlOpener;
  /** How long the user has to approve or deny (default: the pauth's 10 minutes). */
  callbackTimeoutMs: number;
  // Learned along the way.
  startUrl?: string;
  since?: { api: number; router: number; provider: number };
  /** Every request the lab's servers finish once the browser has the URL; closed by the runner. */
  watch?: LabWatch;
  callback?: ApiRequestRecord;
  /** The success or error page the browser loaded after the callback, if it did in time. */
  landing?: SeenRequest;
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
      const { lab } = ctx;
      ctx.watch = new LabWatch([lab.router, lab.marketing, ...lab.providers.values(), ...lab.envs.values()]);
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
      const path = `/no-auth/provider-token/${ctx.profile.id}`;
      const api = new URL(ctx.api.url).origin;
      const router = new URL(ctx.lab.router.url).origin;
      const seen = await (ctx.watch as LabWatch).waitFor((r) => r.path === path && (r.origin === api || (r.origin === router && r.status !== 302)), {
        timeoutMs: ctx.callbackTimeoutMs,
        signal: ctx.signal,
        onTimeout: () =>
          new AppError('CALLBACK_TIMEOUT', `no callback reached "${path}" within ${Math.round(ctx.callbackTimeoutMs / 1000)} s`, {
            hint: 'Approve or deny on the provider page in your browser, or give more time with --timeout <seconds>.',
          }),
      });
      if (seen.origin === router) {
        const hit = ctx.lab.router.hits.slice(since.router).find((h) => h.path === path && h.status !== 302);
        s.check('router routes the callback', false, 'a 302 to the environment', `${seen.status}: ${hit?.reason ?? ''}`);
      }
      const record = ctx.api.ctx.requests.slice(since.api).find((r) => r.method === 'GET' && r.path === path && r.status !== undefined);
      if (!record) throw new FlowError('CHECK_FAILED', `the API journal has no finished ${path}`, s.step);
      ctx.callback = record;
      checkConsent(ctx, s, since.provider);
      s.expectEqual('callback answers 302', record.status, 302);
      const location = new URL(record.location ?? '', ctx.api.url);
      await waitForLanding(ctx, s, location);
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
      const record = ctx.callback;
      if (!record) throw new FlowError('CHECK_FAILED', 'no callback was recorded', s.step);
      checkExchangeAndStore(ctx, s, new URLSearchParams(record.rawQuery).get('code'));
      const expected = ctx.api.ctx.successPage === 'api'
        ? `/web/provider-connected/${ctx.profile.id}`
        : `${ctx.lab.marketing.url}/auth-complete/${ctx.profile.authCompletePage ?? ctx.profile.id}`;
      s.expectEqual('success redirect', record.location, expected);
      if (ctx.landing) s.expectEqual('success page answers 200', ctx.landing.status, 200);
      return `token stored under providerInfo.${ctx.teamId}.${ctx.profile.id}`;
    },
  },

  reuse('broadcast'),
];

// The CLI closes the lab when the flow ends: first let the browser load the page the callback sent it to,
// or the user would see a connection error instead of the success or error page.
async function waitForLanding(ctx: ConnectBrowserContext, s: StepContext, target: URL): Promise<void> {
  try {
    ctx.landing = await (ctx.watch as LabWatch).waitFor((r) => r.origin === target.origin && r.path === target.pathname, {
      timeoutMs: LANDING_TIMEOUT_MS,
      signal: ctx.signal,
      onTimeout: () => new AppError('CALLBACK_TIMEOUT', `the browser did not load ${target.pathname}`),
    });
    s.note(`the browser loaded ${target.pathname} (${ctx.landing.status})`);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'CALLBACK_TIMEOUT') throw err;
    s.note(`the browser did not load ${target.pathname} within ${LANDING_TIMEOUT_MS / 1000} s`);
  }
}

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

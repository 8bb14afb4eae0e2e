/**
 * "Connect to X" in the user's own browser (`connect --browser`): the agent's steps are the headless
 * flow's, the hops in between are the browser's, so they are checked afterwards from the lab's journals.
 */
import { checkFragmentHop, checkJournaledAnswer, checkJournaledStart, checkRouting } from './browser-journal.js';
import { awaitCallback, openInBrowser, type BrowserLegContext } from '../engine/browser-leg.js';
import { checkExchangeAndStore, connectSteps, type ConnectContext } from './steps.js';
import { startQuery } from './expect.js';
import { need, type Step } from '../engine/runner.js';

export interface ConnectBrowserContext extends ConnectContext, BrowserLegContext {
  signal?: AbortSignal;
  startUrl?: string;
}

const reuse = (id: string): Step<ConnectBrowserContext> => {
  const found = connectSteps.find((s) => s.id === id);
  if (!found) throw new Error(`connect has no step "${id}"`);
  return found;
};

/** The start URL the agent hands to the browser (architecture §3 step 2; `--entry` picks the route). */
export function startUrlOf(ctx: ConnectContext): string {
  const path = ctx.entry === 'web' ? '/web/provider-auth' : '/no-auth/provider-auth';
  // The agent's query for this profile (contract §6.1): host, sharing and requestServerToken where they apply.
  const query = startQuery(ctx.profile, { pauth: ctx.pauth ?? '', host: ctx.host, hostUrl: ctx.hostUrl });
  return `${ctx.api.url}${path}/${ctx.profile.id}?${query}`;
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
      await openInBrowser(ctx, s, ctx.startUrl);
      return 'approve or deny on the provider page';
    },
  },

  {
    id: 'wait-callback',
    title: 'Waiting for the browser to come back to the callback',
    async run(ctx, s) {
      const location = await awaitCallback(ctx, s);
      const errorCode = location.pathname === '/web/error' ? (location.searchParams.get('code') ?? '') : undefined;
      s.check(
        'callback is not sent to /web/error',
        errorCode === undefined,
        'a success redirect',
        `/web/error with code ${errorCode ?? ''}`,
      );
      return `302 → ${location.pathname}`;
    },
  },

  {
    id: 'callback',
    title: 'API validated the state, got the token, stored it',
    async run(ctx, s) {
      // The headless flow checks each hop as it makes it; here the journals show what the browser did.
      checkJournaledStart(ctx, s);
      checkJournaledAnswer(ctx, s);
      checkRouting(ctx, s);
      checkFragmentHop(ctx, s);
      const record = need(ctx.callback, 'callback record', s);
      checkExchangeAndStore(ctx, s, new URL(ctx.callbackHop?.location ?? '', ctx.api.url).searchParams.get('code'));
      const expected =
        ctx.lab.successPage === 'api'
          ? `/web/provider-connected/${ctx.profile.id}`
          : `${ctx.lab.marketing.url}/auth-complete/${ctx.profile.authCompletePage ?? ctx.profile.id}`;
      s.expectEqual('success redirect', expected, record.location);
      if (ctx.landing) s.expectEqual('success page answers 200', 200, ctx.landing.status);
      return `token stored under ${ctx.storageKey ?? ''}`;
    },
  },

  ...connectSteps.filter((s) => s.id === 'broadcast' || s.id === 'isolation'),
];

/**
 * The part of a flow that a real browser does on its own (`--browser`): hand it the start URL, then wait
 * for its callback and for the page it lands on, reading what happened from the lab's servers and journals.
 * Shared by connect and signup.
 */
import type { UrlOpener } from '../../agent-sim/real-browser.js';
import { AppError, FlowError } from '../../errors.js';
import { defined } from '../../util/defined.js';
import type { EventSink } from '../../events.js';
import type { ApiRequestRecord } from '../../mock-api/context.js';
import { labOrigins, type AgentContext } from './context.js';
import { BROWSER_ROUTE } from './contract.js';
import { LabWatch, type SeenRequest } from '../../lab/watch.js';
import { need, type StepContext } from './runner.js';
import { SERVER_ENDPOINTS } from './server-calls.js';

// How long the lab stays up for the browser to load the page the callback sent it to, once the callback is done.
const LANDING_TIMEOUT_MS = 5000;

/** What a flow context needs for a real-browser leg. */
export interface BrowserLegContext extends AgentContext {
  openUrl: UrlOpener;
  /** How long the person has to approve or deny. */
  callbackTimeoutMs: number;
  signal?: AbortSignal;
  // Learned along the way.
  /** Journal lengths when the browser got the URL, so earlier runs on a shared lab are ignored. */
  since?: { api: number; router: number; provider: number };
  /** Every request the lab's servers finish once the browser has the URL; the runner closes it. */
  watch?: LabWatch;
  /** The API's journal entry of the callback. */
  callback?: ApiRequestRecord;
  /** The success or error page the browser loaded after the callback, if it did in time. */
  landing?: SeenRequest;
}

/** Starts watching the lab, then hands the URL to the browser. */
export async function openInBrowser(ctx: BrowserLegContext, s: StepContext, url: string): Promise<void> {
  const { lab } = ctx;
  ctx.since = {
    api: ctx.api.control.journal.all.length,
    router: lab.router.hits.length,
    provider: ctx.provider.control.requests.length,
  };
  ctx.watch = new LabWatch([lab.router, lab.marketing, ...lab.providers.values(), ...lab.envs.values()], ctx.now);
  s.note(`opening ${url}`);
  await ctx.openUrl(url);
}

/**
 * Waits for the callback to finish on the API (or be refused by the router, or the start route to send the
 * browser to /web/error), checks the consent answer and the callback's 302, then waits for the browser to
 * load where it was sent. Returns that Location. A fragment provider's first callback answers the script
 * page (contract §1.5 step 3); the callback that counts is the one the page sends on.
 */
export async function awaitCallback(ctx: BrowserLegContext, s: StepContext): Promise<URL> {
  try {
    return await waitForCallback(ctx, s);
  } finally {
    // Passed, refused or timed out: the report files show as far as the browser got.
    reportBrowserHops(ctx, s.emit);
  }
}

async function waitForCallback(ctx: BrowserLegContext, s: StepContext): Promise<URL> {
  const since = ctx.since ?? { api: 0, router: 0, provider: 0 };
  const watch = need(ctx.watch, 'lab watch', s);
  const path = `/no-auth/provider-token/${ctx.profile.id}`;
  const api = new URL(ctx.api.url).origin;
  const router = new URL(ctx.lab.router.url).origin;
  // The /web/error the start route sent the browser to, when it refused.
  const refusedStart = (r: SeenRequest): URL | undefined => {
    if (r.origin !== api || !r.path.endsWith(`/provider-auth/${ctx.profile.id}`)) return undefined;
    const to = locationOf(ctx, r);
    return to?.pathname === '/web/error' ? to : undefined;
  };
  const finished = (r: SeenRequest): boolean => r.origin === api && r.path === path && !isFragmentPage(r);
  const seen = await watch.waitFor(
    (r) => refusedStart(r) !== undefined || finished(r) || (r.origin === router && r.path === path && r.status >= 400),
    {
      timeoutMs: ctx.callbackTimeoutMs,
      signal: ctx.signal,
      onTimeout: () =>
        new AppError(
          'CALLBACK_TIMEOUT',
          `no callback reached "${path}" within ${Math.round(ctx.callbackTimeoutMs / 1000)} s`,
          {
            hint: 'Approve or deny on the provider page in your browser, or give more time with --timeout <seconds>.',
          },
        ),
    },
  );
  const refusal = refusedStart(seen);
  if (refusal !== undefined) {
    // As the headless start step: the API refused before the browser ever reached the provider (e.g. PRVD-1003).
    await waitForLanding(ctx, s, refusal);
    s.check(
      'start is not sent to /web/error',
      false,
      'a provider authorize URL',
      `/web/error with code ${refusal.searchParams.get('code') ?? ''}`,
    );
  }
  if (seen.origin === router) {
    const hit = ctx.lab.router.hits.slice(since.router).find((h) => h.path === path && h.status >= 400);
    s.check('router routes the callback', false, 'a route to the environment', `${seen.status}: ${hit?.reason ?? ''}`);
  }
  if (seen.status === 200) failNoFragmentToken(ctx, s, since.provider);
  const record = ctx.api.control.journal.all
    .slice(since.api)
    .find((r) => r.method === 'GET' && r.path === path && r.status !== undefined && r.status !== 200);
  if (!record) throw new FlowError('CHECK_FAILED', `the API journal has no finished ${path}`, s.step);
  ctx.callback = record;
  checkConsent(ctx, s, since.provider);
  const problem = new URLSearchParams(record.rawQuery).get('oauth_problem');
  // Contract §1.5 step 2: oauth_problem is not a kept parameter, so the API goes on to the access-token call.
  if (problem !== null)
    s.note(
      `the provider sent oauth_problem=${problem}; CodeStream drops that parameter and tries the access-token call anyway`,
    );
  s.expectEqual('callback answers 302', 302, record.status);
  const location = new URL(record.location ?? '', ctx.api.url);
  await waitForLanding(ctx, s, location);
  return location;
}

// The fragment page (200) is a step on the way, unless the request already carried an error: then it is the
// page answering its own ?error=NO_TOKEN hop, and the browser is in the loop of contract failure mode 13.
function isFragmentPage(r: SeenRequest): boolean {
  return r.status === 200 && !new URLSearchParams(r.query).has('error');
}

function failNoFragmentToken(ctx: BrowserLegContext, s: StepContext, since: number): void {
  const answer = ctx.provider.control.requests
    .slice(since)
    .filter((r) => r.location !== undefined && (r.endpoint === 'consent' || r.endpoint === 'authorize'))
    .at(-1);
  const fragment = new URLSearchParams(new URL(answer?.location ?? '', ctx.provider.url).hash.slice(1));
  const providerError = fragment.get('error');
  s.note(
    'the callback page found no token in the fragment and sent the browser to ?error=NO_TOKEN, which provider-token answers with ' +
      'the same page again: the browser reloads it until the lab closes (contract failure mode 13)',
  );
  const field = ctx.profile.delivery.mode === 'fragment' ? ctx.profile.delivery.tokenField : 'token';
  s.check(
    `the fragment carried a token ("${field}")`,
    false,
    'a token',
    providerError === null ? 'none' : `none: the provider sent error=${providerError}`,
  );
}

function locationOf(ctx: BrowserLegContext, r: SeenRequest): URL | undefined {
  if (r.location === undefined) return undefined;
  try {
    return new URL(r.location, ctx.api.url);
  } catch {
    return undefined;
  }
}

// The CLI closes the lab when the flow ends: first let the browser load the page the callback sent it to,
// or the person would see a connection error instead of the success or error page.
async function waitForLanding(ctx: BrowserLegContext, s: StepContext, target: URL): Promise<void> {
  const watch = need(ctx.watch, 'lab watch', s);
  try {
    // By path only: with the router in proxy mode a relative Location resolves against the router's origin.
    ctx.landing = await watch.waitFor((r) => r.path === target.pathname && r.method === 'GET', {
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
function checkConsent(ctx: BrowserLegContext, s: StepContext, since: number): void {
  const consent = ctx.provider.control.requests
    .slice(since)
    .filter((r) => r.endpoint === 'consent')
    .at(-1);
  if (consent === undefined) return void s.note('no consent form was posted (the provider approved without a page)');
  s.expectEqual('consent submitted with POST', 'POST', consent.method);
  s.check(
    'consent answered 302 or 303, never 307',
    consent.status === 302 || consent.status === 303,
    '302 or 303',
    consent.status ?? 'none',
  );
}

/** The provider's journal entry of the authorize request the browser made (the headless flows check the hop). */
export function authorizeRequestOf(ctx: BrowserLegContext, s: StepContext): { rawQuery: string } {
  const since = ctx.since?.provider ?? 0;
  const authorize = ctx.provider.control.requests
    .slice(since)
    .filter((r) => r.endpoint === 'authorize')
    .at(-1);
  if (authorize === undefined) throw new FlowError('CHECK_FAILED', 'the provider saw no authorize request', s.step);
  return authorize;
}

// The browser's hops as `http` events, in the order it made them, rebuilt from what the lab's servers saw
// (method, URL, status, Location, the server's timing), so HAR and diagrams list them as in a headless run.
// The provider journals tell the API's calls to a provider apart (reportServerCalls reports those); a
// proxying router's request to the API is the router's.
function reportBrowserHops(ctx: BrowserLegContext, emit: EventSink): void {
  const actors = labOrigins(ctx.lab);
  const serverCalls = new Set(
    [...ctx.lab.providers.values()].flatMap((p) =>
      p.control.requests
        .filter((r) => SERVER_ENDPOINTS.has(r.endpoint))
        .map((r) => `${new URL(p.url).origin} ${r.method} ${r.path}`),
    ),
  );
  for (const r of [...(ctx.watch?.seen ?? [])].sort((a, b) => a.startedAt - b.startedAt)) {
    const to = actors.get(r.origin);
    // note: a real browser also asks every origin for /favicon.ico; that is no hop of the handshake.
    if (to === undefined || r.path === '/favicon.ico') continue;
    if (to === 'provider' && serverCalls.has(`${r.origin} ${r.method} ${r.path}`)) continue;
    if (to === 'api' && !BROWSER_ROUTE.test(r.path)) continue;
    const proxied =
      to === 'api' && ctx.lab.router.mode === 'proxy' && r.requestHeaders['x-forwarded-host'] !== undefined;
    const size = Number(r.responseHeaders['content-length']);
    emit({
      type: 'http',
      from: proxied ? 'router' : 'browser',
      to,
      method: r.method,
      url: `${r.origin}${r.path}${r.query === '' ? '' : `?${r.query}`}`,
      status: r.status,
      ...defined({ location: r.location }),
      ms: r.ms,
      startedAt: r.startedAt,
      requestHeaders: r.requestHeaders,
      responseHeaders: r.responseHeaders,
      ...(Number.isFinite(size) ? { bodySize: size } : {}),
    });
  }
}

/** Closes what a browser leg left open; safe when it never started. */
export function endBrowserLeg(ctx: Partial<BrowserLegContext>): void {
  ctx.watch?.close();
}

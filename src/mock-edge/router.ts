/**
 * The auth-origin router (the nginx behind apiServer.authOrigin, contract §7): reads the environment
 * before the first "!" of `state` and sends the callback to that environment with the query unchanged,
 * by a 302 (redirect mode, the seed's nginx) or by passing the request on (proxy mode).
 * It only ever builds a Location from its own environment table (no open redirect, RFC 9700 §4.11).
 * With the VPN proxy on the same host (the seed's "today"), it also serves the proxy's path.
 */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { defined } from '../util/defined.js';
import { escapeHtml, sendPage } from '../util/html-page.js';
import { environmentOf } from '../state.js';
import { forwardableHeaders, relayAnswer, sendUpstream, type UpstreamAnswer } from './forward.js';
import { PageError } from './page-error.js';
import { clientErrorOf, describeError } from '../util/http-request.js';
import { pushCapped } from '../util/ring.js';
import { indexOf } from '../util/key-index.js';

/** redirect: 302 to the environment (default); proxy: the router fetches the environment's answer itself. */
export type RouterMode = 'redirect' | 'proxy';

/** Why the router refused a callback, for checks that expect one particular refusal. */
export type RefusalKind =
  | 'no-state'
  | 'malformed-state'
  | 'callback-env-unset'
  | 'bad-env-chars'
  | 'unknown-env'
  | 'bad-provider'
  | 'upstream-failed';

export interface RouterHit {
  path: string;
  rawQuery: string;
  env?: string;
  status: number;
  location?: string;
  reason?: string;
  refusal?: RefusalKind;
  /** The environment origin the callback went to (by 302 or by proxying); absent when refused. */
  routedTo?: string;
  /** An error no route meant to throw (a bug), as describeError words it; the answer was a 500 page. */
  error?: string;
  at: number;
}

export interface RouterOptions {
  mode?: RouterMode;
  now?: () => number;
  /** The VPN proxy's routes, mounted here when it shares the router's host. */
  vpnProxy?: express.Router;
  /** Hits the journal keeps (the newest); default DEFAULT_RECORD_CAP (src/util/ring.ts). */
  recordCap?: number | undefined;
}

export interface RunningRouter extends RunningServer {
  /** callbackEnvironment → that environment's publicApiUrl; filled once the environments listen. */
  readonly environments: Map<string, string>;
  readonly hits: RouterHit[];
  /** The hits whose query carried this state (a flow's own callbacks), found by index, in arrival order. */
  withState(state: string): readonly RouterHit[];
  readonly mode: RouterMode;
}

const ENV_NAME = /^[a-z0-9-]+$/;
const PROVIDER_NAME = /^[a-z0-9_]+$/;

/** Why a state cannot be routed, or undefined when it can. */
export function routeRefusal(state: string | undefined, environments: ReadonlyMap<string, string>): string | undefined {
  return classifyState(state, environments)?.reason;
}

/** The refusal of a state, with its kind, or undefined when the state routes (contract failure mode 11). */
export function classifyState(
  state: string | undefined,
  environments: ReadonlyMap<string, string>,
): Refusal | undefined {
  const route = routeOf(state, environments);
  return 'refusal' in route ? route.refusal : undefined;
}

interface Refusal {
  kind: RefusalKind;
  reason: string;
}

/** Where a state routes (its environment and that environment's origin), or why it does not. */
function routeOf(
  state: string | undefined,
  environments: ReadonlyMap<string, string>,
): { refusal: Refusal } | { env: string; envUrl: string } {
  const refuse = (kind: RefusalKind, reason: string) => ({ refusal: { kind, reason } });
  if (state === undefined || state === '') return refuse('no-state', 'the callback has no state parameter');
  const env = environmentOf(state);
  if (env === undefined) return refuse('malformed-state', 'the state has no environment before a "!"');
  if (env === 'null' || env === 'undefined')
    return refuse(
      'callback-env-unset',
      `the state starts with "${env}!": apiServer.callbackEnvironment is not configured`,
    );
  if (!ENV_NAME.test(env)) return refuse('bad-env-chars', `environment "${env}" has characters outside [a-z0-9-]`);
  const envUrl = environments.get(env);
  if (envUrl === undefined) return refuse('unknown-env', `environment "${env}" is not known to this router`);
  return { env, envUrl };
}

/** Builds the router's express app (no socket); `hits` is its journal. */
export function createRouterApp(
  environments: Map<string, string>,
  hits: RouterHit[],
  now: () => number,
  opts: Omit<RouterOptions, 'now'> = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: express would hash every answer for it, and no client of the lab revalidates (issue 14 profile).
  app.set('etag', false);
  // The hit of each request, so the error writer can complete the one a failed answer left.
  const hitOf = new WeakMap<Request, RouterHit>();
  const record = (req: Request, hit: RouterHit): RouterHit => {
    pushCapped(hits, hit, opts.recordCap);
    hitOf.set(req, hit);
    return hit;
  };
  app.get('/no-auth/provider-token/:provider', async (req, res) => {
    const q = req.originalUrl.indexOf('?');
    const rawQuery = q < 0 ? '' : req.originalUrl.slice(q + 1);
    const state = new URLSearchParams(rawQuery).get('state') ?? undefined;
    const provider = String(req.params.provider);
    const route: ReturnType<typeof routeOf> = PROVIDER_NAME.test(provider)
      ? routeOf(state, environments)
      : { refusal: { kind: 'bad-provider', reason: `provider "${provider}" is not a provider name` } };
    if ('refusal' in route) {
      const { kind, reason } = route.refusal;
      const env = state === undefined ? undefined : environmentOf(state);
      record(req, { path: req.path, rawQuery, ...defined({ env }), status: 400, reason, refusal: kind, at: now() });
      throw new PageError(400, 'Cannot route this callback', `<p>${escapeHtml(reason)}.</p>`);
    }
    const { env, envUrl } = route;
    const target = `/no-auth/provider-token/${provider}${rawQuery ? `?${rawQuery}` : ''}`;
    if (opts.mode === 'proxy') {
      const hit = record(req, { path: req.path, rawQuery, env, status: 0, routedTo: envUrl, at: now() });
      return proxyCallback({ req, res, hit, env, envUrl, target });
    }
    const location = `${envUrl}${target}`;
    record(req, { path: req.path, rawQuery, env, status: 302, location, routedTo: envUrl, at: now() });
    // note: not res.redirect, whose encodeurl would rewrite a stray "%" or '"{}' and break "query unchanged".
    // Node's parser only lets visible ASCII into a URL, all of it legal in a header value.
    res.status(302).setHeader('Location', location);
    res.end();
  });
  if (opts.vpnProxy) app.use(opts.vpnProxy);
  app.use((req) => {
    record(req, { path: req.path, rawQuery: '', status: 404, reason: 'no route', at: now() });
    const only = 'The auth-origin router serves only /no-auth/provider-token/&lt;provider&gt;';
    throw new PageError(404, 'Not found', `<p>${only}, not ${escapeHtml(req.path)}.</p>`);
  });
  app.use(routerErrorWriter({ hits, hitOf, now, cap: opts.recordCap }));
  return app;
}

/**
 * The router's one error writer: a PageError is answered as it is; express's own client errors (a path
 * segment that is not valid %-encoding, thrown before any handler) get the refusal page, never a Location;
 * anything else is a bug, kept in the request's hit, and gets a page without the stack trace.
 */
function routerErrorWriter(journal: {
  hits: RouterHit[];
  hitOf: WeakMap<Request, RouterHit>;
  now: () => number;
  cap: number | undefined;
}): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, _next) => {
    if (err instanceof PageError && !res.headersSent) return sendPage(res, err.status, err.title, err.html);
    const badInput = clientErrorOf(err) !== undefined;
    const status = badInput ? 400 : 500;
    const reason = badInput ? 'the callback path is not valid percent-encoding' : 'the router failed';
    let hit = journal.hitOf.get(req);
    if (hit === undefined) {
      hit = { path: req.path, rawQuery: '', status, reason, at: journal.now() };
      pushCapped(journal.hits, hit, journal.cap);
    }
    // The answer the hit describes never went out: this one did.
    Object.assign(hit, { status, reason }, badInput ? {} : { error: describeError(err) });
    delete hit.location;
    delete hit.routedTo;
    if (res.headersSent) return void res.destroy();
    sendPage(res, status, 'Cannot route this callback', `<p>${reason}.</p>`);
  };
}

function stateOf(rawQuery: string): string[] {
  const state = rawQuery === '' ? null : new URLSearchParams(rawQuery).get('state');
  return state === null ? [] : [state];
}

/** Starts the router; its URL + "/no-auth" is every environment's authOrigin. */
export async function startRouter(opts: ListenOptions & RouterOptions = {}): Promise<RunningRouter> {
  const environments = new Map<string, string>();
  const hits: RouterHit[] = [];
  const { mode = 'redirect', now = Date.now, vpnProxy, recordCap, ...listenOpts } = opts;
  const server = await listen(
    createRouterApp(environments, hits, now, { mode, recordCap, ...defined({ vpnProxy }) }),
    listenOpts,
  );
  const byState = () => indexOf(hits, 'state', (h) => stateOf(h.rawQuery));
  return { ...server, environments, hits, withState: (state) => byState().get(state), mode };
}

/**
 * Proxy mode: the environment's answer goes back to the browser as the router's own. A relative Location
 * (/web/error, /web/provider-connected) is made absolute on the environment's origin, which is where those
 * pages live; an nginx in this mode needs the same rewrite (proxy_redirect).
 */
async function proxyCallback(input: {
  req: Request;
  res: Response;
  hit: RouterHit;
  env: string;
  envUrl: string;
  target: string;
}): Promise<void> {
  const { req, res, hit, env, envUrl } = input;
  const headers = {
    ...forwardableHeaders(req.headers),
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': req.protocol,
  };
  let answer: UpstreamAnswer;
  try {
    answer = await sendUpstream(envUrl, input.target, { method: 'GET', headers });
  } catch {
    Object.assign(hit, { status: 502, reason: `environment "${env}" did not answer`, refusal: 'upstream-failed' });
    delete hit.routedTo;
    throw new PageError(502, 'Cannot route this callback', `<p>Environment ${escapeHtml(env)} did not answer.</p>`);
  }
  const rewrite = (location: string): string =>
    location.startsWith('/') && !location.startsWith('//') ? `${envUrl}${location}` : location;
  hit.status = answer.status;
  const location = answer.headers.location;
  if (location !== undefined) hit.location = rewrite(location);
  relayAnswer(res, answer, rewrite);
}

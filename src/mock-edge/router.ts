/**
 * The auth-origin router (the nginx behind apiServer.authOrigin, contract §7): reads the environment
 * before the first "!" of `state` and sends the callback to that environment with the query unchanged,
 * by a 302 (redirect mode, the seed's nginx) or by passing the request on (proxy mode).
 * It only ever builds a Location from its own environment table (no open redirect, RFC 9700 §4.11).
 * With the VPN proxy on the same host (the seed's "today"), it also serves the proxy's path.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { escapeHtml, sendPage } from '../util/html-page.js';
import { environmentOf } from '../state.js';
import { forwardableHeaders, relayAnswer, sendUpstream } from './forward.js';

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
  at: number;
}

export interface RouterOptions {
  mode?: RouterMode;
  now?: () => number;
  /** The VPN proxy's routes, mounted here when it shares the router's host. */
  vpnProxy?: express.Router;
}

export interface RunningRouter extends RunningServer {
  /** callbackEnvironment → that environment's publicApiUrl; filled once the environments listen. */
  readonly environments: Map<string, string>;
  readonly hits: RouterHit[];
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
): { kind: RefusalKind; reason: string } | undefined {
  if (state === undefined || state === '') return { kind: 'no-state', reason: 'the callback has no state parameter' };
  const env = environmentOf(state);
  if (env === undefined) return { kind: 'malformed-state', reason: 'the state has no environment before a "!"' };
  if (env === 'null' || env === 'undefined')
    return {
      kind: 'callback-env-unset',
      reason: `the state starts with "${env}!": apiServer.callbackEnvironment is not configured`,
    };
  if (!ENV_NAME.test(env))
    return { kind: 'bad-env-chars', reason: `environment "${env}" has characters outside [a-z0-9-]` };
  if (!environments.has(env))
    return { kind: 'unknown-env', reason: `environment "${env}" is not known to this router` };
  return undefined;
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
  app.get('/no-auth/provider-token/:provider', async (req, res) => {
    const q = req.originalUrl.indexOf('?');
    const rawQuery = q < 0 ? '' : req.originalUrl.slice(q + 1);
    const state = new URLSearchParams(rawQuery).get('state') ?? undefined;
    const provider = String(req.params.provider);
    const refusal = PROVIDER_NAME.test(provider)
      ? classifyState(state, environments)
      : { kind: 'bad-provider' as const, reason: `provider "${provider}" is not a provider name` };
    const env = state === undefined ? undefined : environmentOf(state);
    if (refusal !== undefined) {
      hits.push({
        path: req.path,
        rawQuery,
        ...(env === undefined ? {} : { env }),
        status: 400,
        reason: refusal.reason,
        refusal: refusal.kind,
        at: now(),
      });
      return void sendPage(res, 400, 'Cannot route this callback', `<p>${escapeHtml(refusal.reason)}.</p>`);
    }
    const envUrl = environments.get(env as string) as string;
    const target = `/no-auth/provider-token/${provider}${rawQuery ? `?${rawQuery}` : ''}`;
    if (opts.mode === 'proxy')
      return proxyCallback({ req, res, hits, now, env: env as string, envUrl, target, rawQuery });
    const location = `${envUrl}${target}`;
    hits.push({ path: req.path, rawQuery, env: env as string, status: 302, location, routedTo: envUrl, at: now() });
    // note: not res.redirect, whose encodeurl would rewrite a stray "%" or '"{}' and break "query unchanged".
    // Node's parser only lets visible ASCII into a URL, all of it legal in a header value.
    res.status(302).setHeader('Location', location);
    res.end();
  });
  if (opts.vpnProxy) app.use(opts.vpnProxy);
  app.use((req, res) => {
    hits.push({ path: req.path, rawQuery: '', status: 404, reason: 'no route', at: now() });
    sendPage(
      res,
      404,
      'Not found',
      `<p>The auth-origin router serves only /no-auth/provider-token/&lt;provider&gt;, not ${escapeHtml(req.path)}.</p>`,
    );
  });
  // Express throws before the handler on a path segment that is not valid %-encoding: bad input gets the
  // refusal page (never a Location), and anything else a page without the stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown } | null)?.status;
    const badInput = typeof status === 'number' && status >= 400 && status < 500;
    const reason = badInput ? 'the callback path is not valid percent-encoding' : 'the router failed';
    hits.push({ path: req.path, rawQuery: '', status: badInput ? 400 : 500, reason, at: now() });
    sendPage(res, badInput ? 400 : 500, 'Cannot route this callback', `<p>${reason}.</p>`);
  });
  return app;
}

/** Starts the router; its URL + "/no-auth" is every environment's authOrigin. */
export async function startRouter(opts: ListenOptions & RouterOptions = {}): Promise<RunningRouter> {
  const environments = new Map<string, string>();
  const hits: RouterHit[] = [];
  const { mode = 'redirect', now = Date.now, vpnProxy, ...listenOpts } = opts;
  const server = await listen(
    createRouterApp(environments, hits, now, { mode, ...(vpnProxy ? { vpnProxy } : {}) }),
    listenOpts,
  );
  return { ...server, close: server.close, environments, hits, mode };
}

/**
 * Proxy mode: the environment's answer goes back to the browser as the router's own. A relative Location
 * (/web/error, /web/provider-connected) is made absolute on the environment's origin, which is where those
 * pages live; an nginx in this mode needs the same rewrite (proxy_redirect).
 */
async function proxyCallback(input: {
  req: Request;
  res: Response;
  hits: RouterHit[];
  now: () => number;
  env: string;
  envUrl: string;
  target: string;
  rawQuery: string;
}): Promise<void> {
  const { req, res, env, envUrl } = input;
  const hit: RouterHit = {
    path: req.path,
    rawQuery: input.rawQuery,
    env,
    status: 0,
    routedTo: envUrl,
    at: input.now(),
  };
  input.hits.push(hit);
  const headers = {
    ...forwardableHeaders(req.headers),
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': req.protocol,
  };
  try {
    const answer = await sendUpstream(envUrl, input.target, { method: 'GET', headers });
    const rewrite = (location: string): string =>
      location.startsWith('/') && !location.startsWith('//') ? `${envUrl}${location}` : location;
    hit.status = answer.status;
    const location = answer.headers.location;
    if (location !== undefined) hit.location = rewrite(location);
    relayAnswer(res, answer, rewrite);
  } catch {
    Object.assign(hit, { status: 502, reason: `environment "${env}" did not answer`, refusal: 'upstream-failed' });
    delete hit.routedTo;
    sendPage(res, 502, 'Cannot route this callback', `<p>Environment ${escapeHtml(env)} did not answer.</p>`);
  }
}

/**
 * The auth-origin router (the nginx behind apiServer.authOrigin, contract §7): reads the environment
 * before the first "!" of `state` and sends the callback to that environment with the query unchanged.
 * It only ever builds a Location from its own environment table (no open redirect, RFC 9700 §4.11).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { escapeHtml, sendPage } from '../mock-provider/pages.js';
import { environmentOf } from '../state.js';

export interface RouterHit {
  path: string;
  rawQuery: string;
  env?: string;
  status: number;
  location?: string;
  reason?: string;
  at: number;
}

export interface RunningRouter extends RunningServer {
  /** callbackEnvironment → that environment's publicApiUrl; filled once the environments listen. */
  readonly environments: Map<string, string>;
  readonly hits: RouterHit[];
}

const ENV_NAME = /^[a-z0-9-]+$/;
const PROVIDER_NAME = /^[a-z0-9_]+$/;

/** Why a state cannot be routed, or undefined when it can. */
export function routeRefusal(state: string | undefined, environments: ReadonlyMap<string, string>): string | undefined {
  if (state === undefined || state === '') return 'the callback has no state parameter';
  const env = environmentOf(state);
  if (env === undefined) return 'the state has no environment before a "!"';
  if (env === 'null' || env === 'undefined') return `the state starts with "${env}!": apiServer.callbackEnvironment is not configured`;
  if (!ENV_NAME.test(env)) return `environment "${env}" has characters outside [a-z0-9-]`;
  if (!environments.has(env)) return `environment "${env}" is not known to this router`;
  return undefined;
}

export function createRouterApp(environments: Map<string, string>, hits: RouterHit[], now: () => number): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/no-auth/provider-token/:provider', (req, res) => {
    const q = req.originalUrl.indexOf('?');
    const rawQuery = q < 0 ? '' : req.originalUrl.slice(q + 1);
    const state = new URLSearchParams(rawQuery).get('state') ?? undefined;
    const provider = String(req.params.provider);
    const reason = PROVIDER_NAME.test(provider) ? routeRefusal(state, environments) : `provider "${provider}" is not a provider name`;
    const env = state === undefined ? undefined : environmentOf(state);
    if (reason !== undefined) {
      hits.push({ path: req.path, rawQuery, ...(env === undefined ? {} : { env }), status: 400, reason, at: now() });
      return void sendPage(res, 400, 'Cannot route this callback', `<p>${escapeHtml(reason)}.</p>`);
    }
    const location = `${environments.get(env as string)}/no-auth/provider-token/${provider}${rawQuery ? `?${rawQuery}` : ''}`;
    hits.push({ path: req.path, rawQuery, env: env as string, status: 302, location, at: now() });
    // note: not res.redirect, whose encodeurl would rewrite a stray "%" or '"{}' and break "query unchanged".
    // Node's parser only lets visible ASCII into a URL, all of it legal in a header value.
    res.status(302).setHeader('Location', location);
    res.end();
  });
  app.use((req, res) => {
    hits.push({ path: req.path, rawQuery: '', status: 404, reason: 'no route', at: now() });
    sendPage(res, 404, 'Not found', `<p>The auth-origin router serves only /no-auth/provider-token/&lt;provider&gt;, not ${escapeHtml(req.path)}.</p>`);
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
export async function startRouter(opts: ListenOptions & { now?: () => number } = {}): Promise<RunningRouter> {
  const environments = new Map<string, string>();
  const hits: RouterHit[] = [];
  const server = await listen(createRouterApp(environments, hits, opts.now ?? Date.now), opts);
  return { ...server, close: server.close, environments, hits };
}

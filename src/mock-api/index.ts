/** One mock CS API environment: routes, store, broadcaster, pauth tokens, error pages. */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import type { ApiContext } from './context.js';
import { CsError } from './cs-errors.js';
import { BROWSER_ROUTE, redirectToError } from './http.js';
import { keepRawBody } from './raw-body.js';
import { registerAuthCode } from './routes/auth-code.js';
import { registerPages } from './routes/pages.js';
import { registerProviderAuth, type StartHandler } from './routes/provider-auth.js';
import { registerProviderToken, type CallbackHooks } from './routes/provider-token.js';
import { registerUsers } from './routes/users.js';

export type { ApiContext } from './context.js';

/** Extension points for routes that later features add (sign-up mode, check-signup, provider actions). */
export interface ApiExtensions {
  signupStart?: StartHandler;
  callback?: CallbackHooks;
  routes?: Array<(router: express.Router, ctx: ApiContext) => void>;
}

export interface RunningApi extends RunningServer {
  readonly ctx: ApiContext;
}

/** Builds the express app of one environment; no socket. */
export function createApiApp(ctx: ApiContext, ext: ApiExtensions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const record = {
      method: req.method,
      path: req.path,
      rawQuery: rawQuery(req.originalUrl),
      at: ctx.now(),
    } as ApiContext['requests'][number];
    ctx.requests.push(record);
    res.setHeader('X-Request-Id', randomUUID());
    res.on('finish', () => {
      record.status = res.statusCode;
      const location = res.getHeader('location');
      if (typeof location === 'string') record.location = location;
    });
    next();
  });
  // The raw bytes are kept for routes that verify a signature over them (provider actions, contract §7).
  app.use(express.json({ limit: '64kb', verify: keepRawBody }));
  const router = express.Router();
  registerAuthCode(router, ctx);
  registerProviderAuth(router, ctx, ext.signupStart ? { signup: ext.signupStart } : {});
  registerProviderToken(router, ctx, ext.callback);
  registerUsers(router, ctx);
  registerPages(router, ctx);
  for (const register of ext.routes ?? []) register(router, ctx);
  app.use(router);
  app.use((req, res) => {
    res.status(404).json({ code: 'RAPI-1003', message: `no route for ${req.method} ${req.path}` });
  });
  // One place writes JSON errors (contract §1): CsError → 403 {code, message, ...info}.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof CsError) return void res.status(403).json(err.toJSON());
    if (isBodyParseError(err))
      return void res
        .status(403)
        .json({ code: 'RAPI-1012', message: 'invalid parameter', info: 'body is not valid JSON' });
    // Client errors raised by express itself (a path segment that is not valid %-encoding, a body over
    // the limit) are bad input, so a contract error and never a 500.
    const clientError = clientErrorOf(err);
    // A browser route (the start and callback routes, the pages) answers a browser: with the error page (contract §1).
    if (clientError !== undefined && req.method === 'GET' && BROWSER_ROUTE.test(req.path))
      return void redirectToError(res, [['code', 'RAPI-1012']]);
    if (clientError !== undefined)
      return void res.status(403).json({ code: 'RAPI-1012', message: 'invalid parameter', info: clientError });
    res.status(500).json({ code: 'SWEB-1000' });
  });
  return app;
}

/** Starts the environment; `baseUrl` fills ctx.publicApiUrl once bound. */
export async function startMockApi(
  ctx: ApiContext & { setPublicApiUrl(url: string): void },
  ext: ApiExtensions = {},
  opts: ListenOptions = {},
): Promise<RunningApi> {
  const server = await listen(createApiApp(ctx, ext), opts);
  ctx.setPublicApiUrl(server.url);
  ctx.broadcaster.attach(server.server);
  return {
    url: server.url,
    server: server.server,
    ctx,
    async close() {
      await ctx.broadcaster.close();
      await server.close();
    },
  };
}

function rawQuery(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? '' : url.slice(q + 1);
}

// http-errors from express, router and body-parser carry a 4xx `status`; their messages name no secrets.
function clientErrorOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, message } = err as { status?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return typeof message === 'string' ? message : 'bad request';
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}

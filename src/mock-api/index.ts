/** One mock CS API environment: routes, store, broadcaster, pauth tokens, error pages. */
import { randomUUID } from 'node:crypto';
import express from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import type { ApiContext, ApiRequestRecord } from './context.js';
import { apiControl, type ApiControl } from './control.js';
import { ApiHttpError } from './cs-errors.js';
import { apiErrorWriter } from './error-writer.js';
import { keepRequestRecord } from './journal.js';
import { keepRawBody } from './raw-body.js';
import { registerAuthCode } from './routes/auth-code.js';
import { registerPages } from './routes/pages.js';
import { registerProviderAuth, type StartHandler } from './routes/provider-auth.js';
import { registerProviderToken, type CallbackHooks } from './routes/provider-token.js';
import { registerUsers } from './routes/users.js';
import { pushCapped } from '../util/ring.js';

export type { ApiContext } from './context.js';
export type { ApiControl } from './control.js';
export { createApiContext } from './create-context.js';

/** Extension points for routes that later features add (sign-up mode, check-signup, provider actions). */
export interface ApiExtensions {
  signupStart?: StartHandler;
  callback?: CallbackHooks;
  routes?: Array<(router: express.Router, ctx: ApiContext) => void>;
  /** Layers mounted before every route (a test's fault or mutant layer); each sees the request first. */
  before?: Array<(app: express.Express, ctx: ApiContext) => void>;
}

export interface RunningApi extends RunningServer {
  /** The environment's whole context: the mock's own tests use it; flows see only `control`. */
  readonly ctx: ApiContext;
  /** What a flow or test may inspect and inject (control.ts). */
  readonly control: ApiControl;
}

export interface MockApiOptions extends ListenOptions {
  /** The environment's context; `setPublicApiUrl` fills ctx.publicApiUrl once the server is bound. */
  ctx: ApiContext & { setPublicApiUrl(url: string): void };
  /** Routes and hooks beyond the connect skeleton (features.ts's defaultApiExtensions); default: none. */
  extensions?: ApiExtensions;
}

/** Builds the express app of one environment; no socket. */
export function createApiApp(ctx: ApiContext, ext: ApiExtensions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: express would hash every answer for it, and no client of the lab revalidates (issue 14 profile).
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((req, res, next) => {
    const record: ApiRequestRecord = {
      method: req.method,
      path: req.path,
      rawQuery: rawQuery(req.originalUrl),
      at: ctx.now(),
    };
    pushCapped(ctx.requests, record, ctx.recordCap);
    keepRequestRecord(res, record);
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
  for (const mount of ext.before ?? []) mount(app, ctx);
  const router = express.Router();
  registerAuthCode(router, ctx);
  registerProviderAuth(router, ctx, ext.signupStart ? { signup: ext.signupStart } : {});
  registerProviderToken(router, ctx, ext.callback);
  registerUsers(router, ctx);
  registerPages(router, ctx);
  for (const register of ext.routes ?? []) register(router, ctx);
  app.use(router);
  app.use((req) => {
    throw new ApiHttpError(404, { code: 'RAPI-1003', message: `no route for ${req.method} ${req.path}` });
  });
  app.use(apiErrorWriter());
  return app;
}

/** Starts the environment; ctx.publicApiUrl is filled once bound. */
export async function startMockApi({ ctx, extensions = {}, ...listenOpts }: MockApiOptions): Promise<RunningApi> {
  const server = await listen(createApiApp(ctx, extensions), listenOpts);
  ctx.setPublicApiUrl(server.url);
  ctx.broadcaster.attach(server.server);
  return {
    url: server.url,
    server: server.server,
    ctx,
    control: apiControl(ctx),
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

/**
 * The VPN proxy (seed, last paragraphs; contract §7): Slack and MS Teams send their server-to-server calls
 * to one predetermined URL, and the proxy passes each one to the environment that owns the calling app,
 * raw body and headers unchanged, so the environment can still verify the provider's signature.
 * By default it answers on the router's host (as the seed says it does today); it can have its own origin.
 */
import express from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { forwardableHeaders, readBodyBytes, relayAnswer, sendUpstream } from './forward.js';

/** The predetermined path prefix configured in the provider's app: <proxy>/no-auth/provider-action/<provider>. */
export const PROVIDER_ACTION_PATH = '/no-auth/provider-action';

/** Where one app's calls go. */
export interface ProxyRoute {
  env: string;
  /** The environment's origin (publicApiUrl). */
  url: string;
}

/** provider endpoint ("slack", "msteams") → app id → environment. */
export type ProxyTable = Map<string, Map<string, ProxyRoute>>;

/** One call the proxy saw: routed, or refused with a reason. */
export interface ProxyHit {
  provider: string;
  appId?: string;
  env?: string;
  forwardedTo?: string;
  /** What the proxy answered the provider. */
  status: number;
  reason?: string;
  /** The body exactly as it arrived. */
  rawBody: Buffer;
  headers: Record<string, string>;
  at: number;
}

export interface VpnProxy {
  readonly table: ProxyTable;
  readonly hits: ProxyHit[];
  /** The express router to mount on a host (the auth-origin router's, or its own). */
  readonly app: express.Router;
}

/** The app id a provider's call names, read the way the environment will read it. */
const APP_ID_OF: Readonly<Record<string, (raw: Buffer) => string | undefined>> = {
  // Slack interactive components: form body payload=<json> with api_app_id.
  slack: (raw) => stringField(parseJson(new URLSearchParams(raw.toString('utf8')).get('payload')), 'api_app_id'),
  // Bot Framework activity: recipient.id is "28:<bot app id>" in Teams.
  msteams: (raw) => {
    const recipient = parseJson(raw.toString('utf8'))?.recipient;
    const id = stringField(
      typeof recipient === 'object' && recipient !== null ? (recipient as Record<string, unknown>) : undefined,
      'id',
    );
    return id?.replace(/^28:/, '');
  },
};

/** Builds the proxy's routes and journal; nothing listens yet. */
export function createVpnProxy(opts: { now?: () => number } = {}): VpnProxy {
  const now = opts.now ?? Date.now;
  const table: ProxyTable = new Map();
  const hits: ProxyHit[] = [];
  const app = express.Router();
  app.post(`${PROVIDER_ACTION_PATH}/:provider`, async (req, res) => {
    const provider = String(req.params.provider);
    const rawBody = await readBodyBytes(req);
    const hit: ProxyHit = {
      provider,
      rawBody: rawBody ?? Buffer.alloc(0),
      headers: forwardableHeaders(req.headers),
      status: 0,
      at: now(),
    };
    hits.push(hit);
    const refuse = (status: number, code: string, reason: string): void => {
      Object.assign(hit, { status, reason });
      res.status(status).set('x-vpn-proxy', 'refused').json({ code, message: reason });
    };
    const appIdOf = Object.hasOwn(APP_ID_OF, provider) ? APP_ID_OF[provider] : undefined;
    if (rawBody === undefined) return refuse(413, 'RAPI-1012', 'body is larger than 64 KiB');
    if (appIdOf === undefined) return refuse(403, 'PRVD-1000', `the proxy forwards no "${provider}" calls`);
    const appId = appIdOf(rawBody);
    if (appId !== undefined) hit.appId = appId;
    const route = appId === undefined ? undefined : table.get(provider)?.get(appId);
    // Answered as an environment would answer an unknown app (RAPI-1003), so the provider sees one behaviour.
    if (route === undefined)
      return refuse(
        403,
        'RAPI-1003',
        appId === undefined ? 'the call names no app id' : `no environment owns app id "${appId}"`,
      );
    const path = `${PROVIDER_ACTION_PATH}/${provider}`;
    Object.assign(hit, { env: route.env, forwardedTo: `${route.url}${path}` });
    try {
      const answer = await sendUpstream(route.url, path, { method: 'POST', headers: hit.headers, body: rawBody });
      hit.status = answer.status;
      relayAnswer(res, answer);
    } catch {
      refuse(502, 'SWEB-1000', `environment "${route.env}" did not answer`);
    }
  });
  return { table, hits, app };
}

/** Gives the proxy its own origin (`--proxy-host separate`, what the seed says should happen). */
export function startVpnProxy(proxy: VpnProxy, opts: ListenOptions = {}): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(proxy.app);
  app.use(
    (req, res) =>
      void res
        .status(404)
        .json({
          code: 'RAPI-1003',
          message: `the VPN proxy serves only POST ${PROVIDER_ACTION_PATH}/<provider>, not ${req.method} ${req.path}`,
        }),
  );
  // A broken request (bad %-encoding in the path, a dropped socket) gets JSON, never a stack trace.
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (!res.headersSent)
      res.status(400).json({ code: 'RAPI-1012', message: 'the VPN proxy could not read this request' });
  });
  return listen(app, opts);
}

/** Adds an environment's apps to the table from its integrations config. */
export function routeApps(table: ProxyTable, provider: string, appIds: Iterable<string>, route: ProxyRoute): void {
  const apps = table.get(provider) ?? new Map<string, ProxyRoute>();
  for (const appId of appIds) apps.set(appId, route);
  table.set(provider, apps);
}

function parseJson(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function stringField(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

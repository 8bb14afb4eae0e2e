/**
 * The VPN proxy (seed, last paragraphs; contract §7): Slack and MS Teams send their server-to-server calls
 * to one predetermined URL, and the proxy passes each one to the environment that owns the calling app,
 * raw body and headers unchanged, so the environment can still verify the provider's signature.
 * By default it answers on the router's host (as the seed says it does today); it can have its own origin.
 */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import { isJsonObject, parseJsonObject } from '../util/json.js';
import { forwardableHeaders, relayAnswer, sendUpstream, type UpstreamAnswer } from './forward.js';
import { readBodyBytes } from '../util/http-request.js';
import { clientErrorOf, describeError } from '../util/http-request.js';
import { pushCapped } from '../util/ring.js';

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
  /** An error no route meant to throw (a bug), as describeError words it; the answer was a 500. */
  error?: string;
  at: number;
}

export interface VpnProxy {
  readonly table: ProxyTable;
  readonly hits: ProxyHit[];
  /** The express router to mount on a host (the auth-origin router's, or its own); it writes its own errors. */
  readonly app: express.Router;
  /** The proxy's one error writer, for the host of its own (its 404 and the requests express refuses). */
  readonly errorWriter: ErrorRequestHandler;
}

/** A refusal or a failure of the proxy, answered {code, message} as an environment would answer. */
class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly reason: string,
    /** Refusals carry `x-vpn-proxy: refused`, so a provider's logs tell them from an environment's answer. */
    readonly refused = true,
  ) {
    super(`${status} ${code}: ${reason}`);
  }
}

/** The app id a provider's call names, read the way the environment will read it. */
const APP_ID_OF: Readonly<Record<string, (raw: Buffer) => string | undefined>> = {
  // Slack interactive components: form body payload=<json> with api_app_id.
  slack: (raw) => stringField(parseJsonObject(new URLSearchParams(raw.toString('utf8')).get('payload')), 'api_app_id'),
  // Bot Framework activity: recipient.id is "28:<bot app id>" in Teams.
  msteams: (raw) => {
    const recipient = parseJsonObject(raw.toString('utf8'))?.recipient;
    return stringField(isJsonObject(recipient) ? recipient : undefined, 'id')?.replace(/^28:/, '');
  },
};

/** Builds the proxy's routes and journal; nothing listens yet. */
export function createVpnProxy(opts: { now?: () => number; recordCap?: number | undefined } = {}): VpnProxy {
  const now = opts.now ?? Date.now;
  const cap = opts.recordCap;
  const table: ProxyTable = new Map();
  const hits: ProxyHit[] = [];
  const hitOf = new WeakMap<Request, ProxyHit>();
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
    pushCapped(hits, hit, cap);
    hitOf.set(req, hit);
    const appIdOf = Object.hasOwn(APP_ID_OF, provider) ? APP_ID_OF[provider] : undefined;
    if (rawBody === undefined) throw new ProxyError(413, 'RAPI-1012', 'body is larger than 64 KiB');
    if (appIdOf === undefined) throw new ProxyError(403, 'PRVD-1000', `the proxy forwards no "${provider}" calls`);
    const appId = appIdOf(rawBody);
    if (appId !== undefined) hit.appId = appId;
    const route = appId === undefined ? undefined : table.get(provider)?.get(appId);
    // Answered as an environment would answer an unknown app (RAPI-1003), so the provider sees one behaviour.
    if (route === undefined) {
      const reason = appId === undefined ? 'the call names no app id' : `no environment owns app id "${appId}"`;
      throw new ProxyError(403, 'RAPI-1003', reason);
    }
    const path = `${PROVIDER_ACTION_PATH}/${provider}`;
    Object.assign(hit, { env: route.env, forwardedTo: `${route.url}${path}` });
    let answer: UpstreamAnswer;
    try {
      answer = await sendUpstream(route.url, path, { method: 'POST', headers: hit.headers, body: rawBody });
    } catch {
      throw new ProxyError(502, 'SWEB-1000', `environment "${route.env}" did not answer`);
    }
    hit.status = answer.status;
    relayAnswer(res, answer);
  });
  // On the router's host, a request the proxy did not take up (express refused its path before any handler)
  // is the host's to answer; on its own host, the same writer answers it at the end of the app.
  app.use(proxyErrorWriter({ hits, hitOf, now, cap, passOn: true }));
  return { table, hits, app, errorWriter: proxyErrorWriter({ hits, hitOf, now, cap, passOn: false }) };
}

/**
 * The proxy's one error writer: a ProxyError is answered {code, message}; a request express refused (a path
 * that is not valid %-encoding) is RAPI-1012; anything else is a bug, kept in the call's hit, and answered
 * SWEB-1000 with status 500.
 */
function proxyErrorWriter(journal: {
  hits: ProxyHit[];
  hitOf: WeakMap<Request, ProxyHit>;
  now: () => number;
  cap: number | undefined;
  passOn: boolean;
}): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next) => {
    let hit = journal.hitOf.get(req);
    if (hit === undefined && journal.passOn) return next(err);
    if (err instanceof ProxyError) {
      if (hit) Object.assign(hit, { status: err.status, reason: err.reason });
      if (res.headersSent) return void res.destroy();
      if (err.refused) res.set('x-vpn-proxy', 'refused');
      return void res.status(err.status).json({ code: err.code, message: err.reason });
    }
    if (hit === undefined && clientErrorOf(err) !== undefined) {
      if (res.headersSent) return void res.destroy();
      return void res.status(400).json({ code: 'RAPI-1012', message: 'the VPN proxy could not read this request' });
    }
    if (hit === undefined) {
      hit = {
        provider: '',
        rawBody: Buffer.alloc(0),
        headers: forwardableHeaders(req.headers),
        status: 0,
        at: journal.now(),
      };
      pushCapped(journal.hits, hit, journal.cap);
    }
    Object.assign(hit, { status: 500, reason: 'the VPN proxy failed', error: describeError(err) });
    if (res.headersSent) return void res.destroy();
    res.status(500).json({ code: 'SWEB-1000', message: 'the VPN proxy failed' });
  };
}

/** Gives the proxy its own origin (`--proxy-host separate`, what the seed says should happen). */
export function startVpnProxy(proxy: VpnProxy, opts: ListenOptions = {}): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(proxy.app);
  app.use((req) => {
    const only = `the VPN proxy serves only POST ${PROVIDER_ACTION_PATH}/<provider>`;
    throw new ProxyError(404, 'RAPI-1003', `${only}, not ${req.method} ${req.path}`, false);
  });
  // A broken request (bad %-encoding in the path) gets JSON, never a stack trace.
  app.use(proxy.errorWriter);
  return listen(app, opts);
}

/** Adds an environment's apps to the table from its integrations config. */
export function routeApps(table: ProxyTable, provider: string, appIds: Iterable<string>, route: ProxyRoute): void {
  const apps = table.get(provider) ?? new Map<string, ProxyRoute>();
  for (const appId of appIds) apps.set(appId, route);
  table.set(provider, apps);
}

function stringField(obj: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A mock third-party provider built from a profile: authorize + consent, token or OAuth 1.0a, journal, faults. */
import express, { type Request } from 'express';
import { listen, type ListenOptions, type RunningServer } from '../listen.js';
import type { MockAccount } from '../profiles/identity.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { registerAuthorize } from './authorize.js';
import { registerConsent } from './consent.js';
import type { ProviderContext, ProviderFault, QueuedFault, RegisteredClient } from './context.js';
import { providerErrorWriter } from './error-writer.js';
import { ProviderHttpError } from './errors.js';
import { GrantStore, type IssuedToken } from './grants.js';
import { isIdentityPath, registerIdentity, resetIdentity, setNextIdentity, signInAs } from './identity.js';
import { keepJournalEntry, queryOf, rawQueryOf, type ProviderEndpoint, type RecordedRequest } from './journal.js';
import { headersOf } from '../util/http-request.js';
import { registerOAuth1 } from './oauth1-server.js';
import { isProfileCallPath, registerProfileCall } from './profile-call.js';
import { defined } from '../util/defined.js';
import { registerToken } from './token.js';
import { pushCapped } from '../util/ring.js';
import { clearIndexes, indexOf } from '../util/key-index.js';

export type { ProviderFault, RegisteredClient } from './context.js';
export type { RecordedRequest, ProviderEndpoint } from './journal.js';

export interface MockProviderOptions extends ListenOptions {
  profile: ProviderProfile;
  clients: RegisteredClient[];
  now?: () => number;
  consent?: 'auto' | 'page';
  /** Overrides the profile's code lifetime (RFC 6749 §4.1.2: at most 10 minutes). */
  codeLifetimeSeconds?: number;
  /** Port of the second origin of profiles whose exchange goes to an API host (Linear); default: OS-chosen. */
  apiPort?: number;
  /** Entries the request journal keeps (the newest); default DEFAULT_RECORD_CAP. */
  recordCap?: number;
}

/** Test and flow controls (house style §4.2): read the journal, queue faults, reset. */
export interface ProviderControl {
  readonly requests: readonly RecordedRequest[];
  readonly issued: readonly IssuedToken[];
  readonly grants: GrantStore;
  /** The request to `endpoint` whose query or body carried `name` = `value` (a flow's code, state, token). */
  requestCarrying(endpoint: ProviderEndpoint, name: string, value: string): RecordedRequest | undefined;
  /** The requests to `endpoint` whose Authorization header carries `token` (identity calls, OAuth 1.0a). */
  requestsAuthorizedBy(endpoint: ProviderEndpoint, token: string): RecordedRequest[];
  /** The requests to `endpoint` that mention `value` anywhere: header, query or body, raw or percent-decoded. */
  requestsMentioning(endpoint: ProviderEndpoint, value: string): RecordedRequest[];
  /** The tokens issued from one code (OAuth 1.0a: from one request token), in issue order. */
  issuedFrom(code: string): IssuedToken[];
  /** Queues a one-shot fault; with `forState`, only the request of the flow that sent that state takes it. */
  failNext(endpoint: ProviderEndpoint, fault: ProviderFault, forState?: string): void;
  /** Who signs in with the next token that calls the identity endpoints (fields over the profile's account). */
  setNextIdentity(patch: Partial<MockAccount>): void;
  /**
   * Who is signed in at the provider in the browser that carries `state` (a person of their own, as a browser
   * session would be): the tokens issued through that authorize see this account (fields over the profile's).
   */
  signInAs(state: string, patch: Partial<MockAccount>): void;
  setConsent(mode: 'auto' | 'page'): void;
  /** Lets the lab add redirect URIs once the router is bound. */
  clients: RegisteredClient[];
  reset(): void;
}

export interface RunningProvider extends RunningServer {
  /** Second origin of the same provider where token.onApiHost says the token endpoint lives (Linear's API host). */
  readonly apiUrl?: string;
  readonly profile: ProviderProfile;
  readonly control: ProviderControl;
}

/** Builds the express app; no socket (the service/server split of house style §4.2). */
export function createProviderApp(ctx: ProviderContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: express would hash every answer for it, and no client of the lab revalidates (issue 14 profile).
  app.set('etag', false);
  app.use((req, res, next) => {
    const entry: RecordedRequest = {
      endpoint: endpointOf(ctx, req),
      method: req.method,
      path: req.path,
      rawQuery: rawQueryOf(req),
      query: queryOf(rawQueryOf(req)),
      headers: headersOf(req),
      rawBody: '',
      body: {},
      format: 'none',
      at: ctx.now(),
    };
    pushCapped(ctx.requests, entry, ctx.recordCap);
    keepJournalEntry(res, entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      const location = res.getHeader('location');
      if (typeof location === 'string') entry.location = location;
      // The body is read by the route: only now are all of the request's parameters known to the index.
      byParameter(ctx.requests).reindex(entry);
    });
    next();
  });
  const router = express.Router();
  if (ctx.profile.oauth1 === undefined) registerAuthorize(router, ctx);
  else registerOAuth1(router, ctx, ctx.profile.oauth1);
  registerConsent(router, ctx);
  registerToken(router, ctx);
  registerIdentity(router, ctx);
  registerProfileCall(router, ctx);
  app.use(router);
  app.use((req) => {
    const description = `no route for ${req.method} ${req.path} on mock ${ctx.profile.id}`;
    throw new ProviderHttpError(404, { kind: 'json', body: { error: 'not_found', error_description: description } });
  });
  app.use(providerErrorWriter(ctx));
  return app;
}

/** Starts a mock provider on its own origin. */
export async function startMockProvider(opts: MockProviderOptions): Promise<RunningProvider> {
  const now = opts.now ?? Date.now;
  const grants = new GrantStore(now, opts.recordCap);
  const requests: RecordedRequest[] = [];
  const faults = new Map<ProviderEndpoint, QueuedFault[]>();
  let baseUrl = '';
  const profile =
    opts.codeLifetimeSeconds === undefined
      ? opts.profile
      : { ...opts.profile, rules: { ...opts.profile.rules, codeLifetimeSeconds: opts.codeLifetimeSeconds } };
  const ctx: ProviderContext = {
    profile,
    clients: opts.clients,
    grants,
    requests,
    faults,
    now,
    consent: opts.consent ?? 'auto',
    ...(opts.recordCap === undefined ? {} : { recordCap: opts.recordCap }),
    get baseUrl() {
      return baseUrl;
    },
  };
  const app = createProviderApp(ctx);
  const server = await listen(app, opts);
  baseUrl = server.url;
  // The same app on a second origin, so the exchange can be seen to reach the API host (contract §3.2 Linear).
  const apiServer =
    profile.token?.onApiHost === true ? await listen(app, { ...opts, port: opts.apiPort ?? 0 }) : undefined;
  const control: ProviderControl = {
    requests,
    get issued() {
      return grants.issued;
    },
    grants,
    clients: opts.clients,
    requestCarrying: (endpoint, name, value) =>
      byParameter(requests)
        .get(parameterKey(endpoint, name, value))
        .find((r) => (r.query[name] ?? r.body[name]) === value),
    requestsAuthorizedBy: (endpoint, token) =>
      byEndpoint(requests)
        .get(endpoint)
        .filter((r) => (r.headers.authorization ?? '').includes(token)),
    requestsMentioning: (endpoint, value) =>
      byEndpoint(requests)
        .get(endpoint)
        .filter((r) => mentions(r, value)),
    issuedFrom: (code) => grants.issuedFrom(code),
    setNextIdentity: (patch) => setNextIdentity(ctx, patch),
    signInAs: (state, patch) => signInAs(ctx, state, patch),
    failNext(endpoint, fault, forState) {
      faults.set(endpoint, [...(faults.get(endpoint) ?? []), { fault, ...defined({ forState }) }]);
    },
    setConsent(mode) {
      ctx.consent = mode;
    },
    reset() {
      requests.length = 0;
      clearIndexes(requests);
      faults.clear();
      grants.reset();
      resetIdentity(ctx);
    },
  };
  return {
    ...server,
    ...defined({ apiUrl: apiServer?.url }),
    close: async () => {
      await Promise.all([server.close(), apiServer?.close()]);
    },
    profile,
    control,
  };
}

// A request's parameters (query and body) by endpoint: how a flow finds the exchange of its own code.
const byParameter = (requests: readonly RecordedRequest[]) =>
  indexOf(requests, 'parameter', (r) =>
    [...Object.entries(r.query), ...Object.entries(r.body)].map(([name, value]) =>
      parameterKey(r.endpoint, name, String(value)),
    ),
  );
const byEndpoint = (requests: readonly RecordedRequest[]) => indexOf(requests, 'endpoint', (r) => [r.endpoint]);

function parameterKey(endpoint: ProviderEndpoint, name: string, value: string): string {
  return `${endpoint} ${name}=${value}`;
}

function mentions(r: RecordedRequest, value: string): boolean {
  const text = `${r.headers.authorization ?? ''} ${r.rawQuery} ${r.rawBody}`;
  if (text.includes(value)) return true;
  try {
    return decodeURIComponent(text).includes(value);
  } catch {
    return false;
  }
}

function endpointOf(ctx: ProviderContext, req: Request): ProviderEndpoint {
  const { authorize, token, oauth1 } = ctx.profile;
  if (req.path === authorize.path) return 'authorize';
  if (req.path === `${authorize.path}/consent`) return 'consent';
  if (req.path === token?.path) return 'token';
  if (req.path === oauth1?.requestTokenPath) return 'request-token';
  if (req.path === oauth1?.accessTokenPath) return 'access-token';
  if (isIdentityPath(ctx, req.path)) return 'identity';
  if (isProfileCallPath(ctx, req.path)) return 'profile';
  return 'unknown';
}

/**
 * A run against a CodeStream API the lab did not start (`--api-url`): the agent and the headless browser drive
 * it over HTTP only. There is no journal and no store to read, so what the lab's flows check there is listed
 * as skipped, and delivery is seen where an IDE sees it: in `GET /users/me`.
 */
import { ApiClient } from '../../agent-sim/api-client.js';
import { BroadcastClient } from '../../agent-sim/broadcast-client.js';
import { HeadlessBrowser, type Hop } from '../../agent-sim/browser.js';
import type { LoginForm } from '../../agent-sim/navigate.js';
import { AppError } from '../../errors.js';
import type { Actor, EventSink } from '../../events.js';
import type { RunningProvider } from '../../mock-provider/index.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { getPath } from '../../util/dotted.js';
import type { SecretSink } from '../engine/context.js';

/** What the command gives a remote run. */
export interface RemoteOptions {
  apiUrl: string;
  token: string;
  teamId: string;
  /** How long delivery may take to show in /users/me (`--timeout`). */
  timeoutMs: number;
  /**
   * `--provider-port`: the mock provider the lab started for the API to use, with the CodeStream client of the
   * lab config and the callback the API was told to register; absent: the API's own provider.
   */
  labProvider?: { provider: RunningProvider; clientId: string; redirectUri: string } | undefined;
  /** `--broadcaster-url` and its token: delivery is then seen on the user's me-channel. */
  broadcaster?: { url: string; token: string } | undefined;
}

export interface RemoteDeps {
  profile: ProviderProfile;
  fetch: typeof fetch;
  now: () => number;
  onEvent: EventSink;
  secrets: SecretSink;
  signal?: AbortSignal | undefined;
  login?: LoginForm | undefined;
}

export interface RemoteContext {
  apiUrl: string;
  teamId: string;
  profile: ProviderProfile;
  client: ApiClient;
  browser: HeadlessBrowser;
  /** Origins the browser may visit; the API's at first, the provider's and callback's as the run learns them. */
  origins: Map<string, Actor>;
  now: () => number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  secrets: SecretSink;
  login?: LoginForm | undefined;
  labProvider?: RemoteOptions['labProvider'];
  broadcaster?: RemoteOptions['broadcaster'];
  broadcasts: BroadcastClient;
  /** Checks of the lab's flows this run cannot make, listed once in a note. */
  skipped: string[];
  // Learned along the way.
  userId?: string;
  /** The token under the provider's key before the connect (a re-connect must replace it). */
  tokenBefore?: string | undefined;
  pauth?: string;
  authorizeHop?: Hop;
  redirectUri?: string;
  sentState?: string;
  /** The code the provider sent back: the flow's key into the lab provider's journal. */
  code?: string;
  callbackHop?: Hop;
  deliveredToken?: string;
  /** The token the directive on the me-channel set (--broadcaster-url). */
  broadcastToken?: string;
}

/** Where an IDE reads a connected provider's token (contract §4.1): providerInfo.<team>.<provider>. */
export const providerKey = (ctx: Pick<RemoteContext, 'teamId' | 'profile'>): string =>
  `providerInfo.${ctx.teamId}.${ctx.profile.id}`;

/**
 * Builds the run's agent and browser after one `GET /users/me`, so an API that cannot be reached or refuses the
 * token ends the run with one line before any step starts.
 */
export async function createRemoteContext(
  opts: RemoteOptions,
  deps: RemoteDeps,
  /** False for a sign-up: nobody is signed in, so any answer of /users/me shows the API is there. */
  signedIn = true,
): Promise<RemoteContext> {
  const apiUrl = opts.apiUrl.replace(/\/+$/, '');
  if (opts.token !== '') deps.secrets.add(opts.token);
  deps.secrets.add(opts.broadcaster?.token);
  const origins = new Map<string, Actor>([[new URL(apiUrl).origin, 'api']]);
  if (opts.labProvider) origins.set(new URL(opts.labProvider.provider.url).origin, 'provider');
  const client = new ApiClient({
    baseUrl: apiUrl,
    accessToken: opts.token,
    fetch: deps.fetch,
    now: deps.now,
    onEvent: () => undefined,
  });
  await preflight(client, apiUrl, signedIn);
  return {
    apiUrl,
    teamId: opts.teamId,
    profile: deps.profile,
    client: new ApiClient({
      baseUrl: apiUrl,
      accessToken: opts.token,
      fetch: deps.fetch,
      now: deps.now,
      onEvent: deps.onEvent,
    }),
    browser: new HeadlessBrowser({
      origins,
      fetch: deps.fetch,
      now: deps.now,
      onEvent: deps.onEvent,
      secrets: deps.secrets,
    }),
    origins,
    now: deps.now,
    timeoutMs: opts.timeoutMs,
    secrets: deps.secrets,
    skipped: [],
    signal: deps.signal,
    login: deps.login,
    labProvider: opts.labProvider,
    broadcaster: opts.broadcaster,
    broadcasts: new BroadcastClient(),
  };
}

async function preflight(client: ApiClient, apiUrl: string, signedIn: boolean): Promise<void> {
  let status: number;
  try {
    status = (await client.request('GET', '/users/me')).status;
  } catch (err) {
    const why = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new AppError('HTTP_FAILED', `the CodeStream API at ${apiUrl} cannot be reached: ${why}`);
  }
  if (!signedIn) return;
  if (status === 401 || status === 403)
    throw new AppError(
      'LOGIN_FAILED',
      `the CodeStream API at ${apiUrl} refused the token (${status}): pass a valid access token with --token or CODESTREAM_TOKEN`,
    );
  if (status !== 200)
    throw new AppError('HTTP_FAILED', `GET ${apiUrl}/users/me answered ${status}: is --api-url a CodeStream API?`);
}

/** The access token under the provider's key of a me-object, if any. */
export function tokenIn(me: unknown, ctx: Pick<RemoteContext, 'teamId' | 'profile'>): string | undefined {
  const value = getPath(me, `${providerKey(ctx)}.accessToken`);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Polls `GET /users/me` until `done` holds for the me-object, at most `ctx.timeoutMs`; returns the last
 * me-object and whether it got there.
 */
export async function pollMe(
  ctx: Pick<RemoteContext, 'client' | 'now' | 'timeoutMs' | 'signal'>,
  done: (me: Record<string, unknown>) => boolean,
): Promise<{ me: Record<string, unknown>; ok: boolean; polls: number }> {
  const until = ctx.now() + ctx.timeoutMs;
  let polls = 0;
  while (true) {
    const me = await ctx.client.me();
    polls++;
    if (done(me)) return { me, ok: true, polls };
    if (ctx.now() >= until || ctx.signal?.aborted === true) return { me, ok: false, polls };
    // The API writes the token before it answers the callback, so a short wait is only for slower servers.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** startLab: starts the boxes a run needs (architecture §1) and returns their URLs and one close(). */
import type { LabConfig } from './config.js';
import type { RunningServer } from '../listen.js';
import { createApiContext } from '../mock-api/create-context.js';
import { defaultApiExtensions } from '../mock-api/features.js';
import { startMockApi, type ApiExtensions, type RunningApi } from '../mock-api/index.js';
import type { SeedUserInput } from '../mock-api/control.js';
import { startMarketing } from '../mock-edge/marketing.js';
import { startRouter, type RouterMode, type RunningRouter } from '../mock-edge/router.js';
import { createVpnProxy, routeApps, startVpnProxy, type ProxyHit, type ProxyTable } from '../mock-edge/vpn-proxy.js';
import type { RunningProvider } from '../mock-provider/index.js';
import { registerEnvironmentCallbacks, startLabProviders } from './providers.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { AppError } from '../errors.js';
import { defined } from '../util/defined.js';

export interface LabOptions {
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  /** Providers to mock; every one of them gets the CodeStream client of config.clients. */
  providers: readonly string[];
  /** Environment names from config.environments; default: the config's defaultEnvironment. */
  envs?: readonly string[];
  successPage?: 'marketing' | 'api';
  consent?: 'auto' | 'page';
  now?: () => number;
  fetch?: typeof fetch;
  host?: string;
  /** The host name every URL carries (serve --public-host); default: the bound host, 127.0.0.1 for a wildcard. */
  publicHost?: string;
  /**
   * First fixed port (`serve --port`): router, marketing, providers, then environments take port, port+1, …;
   * default: OS-chosen.
   */
  port?: number;
  exchangeTimeoutMs?: number;
  extensions?: ApiExtensions;
  /** How the auth-origin router delivers a callback: 302 (default, the seed's nginx) or reverse proxy. */
  routerMode?: RouterMode;
  /** Where the VPN proxy answers: on the router's host (default, the seed's "today") or its own origin. */
  proxyHost?: 'same' | 'separate';
  /** A fixed port for the router alone, so a real server's registered redirect URI matches (custom profiles). */
  routerPort?: number;
  /**
   * Entries each server's journal, request log, signup records and broadcaster history keep, the newest first
   * (issue 14: a long-lived lab stays flat); default DEFAULT_RECORD_CAP (src/util/ring.ts).
   */
  recordCap?: number;
}

/** The VPN proxy as a run sees it: the URL providers are configured with, its routing table, its journal. */
export interface LabVpnProxy {
  readonly url: string;
  readonly host: 'same' | 'separate';
  readonly table: ProxyTable;
  readonly hits: ProxyHit[];
}

export interface Lab {
  readonly config: LabConfig;
  readonly profiles: ReadonlyMap<string, ProviderProfile>;
  readonly router: RunningRouter;
  readonly marketing: RunningServer;
  readonly providers: ReadonlyMap<string, RunningProvider>;
  /** Environments by name. */
  readonly envs: ReadonlyMap<string, RunningApi>;
  /** apiServer.authOrigin shared by every environment: the router plus /no-auth. */
  readonly authOrigin: string;
  readonly vpnProxy: LabVpnProxy;
  /** Custom profiles: provider → the real server's authorize origin (no mock runs for them). */
  readonly externalOrigins: ReadonlyMap<string, string>;
  /** Where the lab serves registered hosts: provider → lowercased host → the origin that answers for it. */
  readonly hostOrigins: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Where a connect's callback sends the browser, as the lab was asked to (contract "differs" #3). */
  readonly successPage: 'marketing' | 'api';
  /** Users seeded after start (lab.addUser, user-pool.ts), by id; the config's users are in config.users. */
  readonly users: ReadonlyMap<string, SeedUserInput>;
  /** Seeds a user into every environment (users of concurrent runs: own tokens, own user-<id> channel). */
  addUser(user: SeedUserInput): void;
  /** Drops a user from every environment (and from `users`): a finished run's own users, so the lab stays flat. */
  removeUser(id: string): void;
  close(): Promise<void>;
}

/** An environment as a flow sees it: its URL and its handle, never its context (the checks are an oracle). */
export type LabApi = Omit<RunningApi, 'ctx'>;

/** The lab as a flow sees it: the environments behind their handles. */
export type FlowLab = Omit<Lab, 'envs'> & { readonly envs: ReadonlyMap<string, LabApi> };

export async function startLab(opts: LabOptions): Promise<Lab> {
  const now = opts.now ?? Date.now;
  const hostOpts = defined({ host: opts.host, publicHost: opts.publicHost });
  let nextPort = opts.port;
  // Each call takes the next fixed port, in start order, or leaves the choice to the OS.
  const listenOpts = (): { host?: string; port?: number } =>
    nextPort === undefined ? { ...hostOpts } : { ...hostOpts, port: nextPort++ };
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const proxy = createVpnProxy({ now, recordCap: opts.recordCap });
    const proxyHost = opts.proxyHost ?? 'same';
    const router = await startRouter({
      ...listenOpts(),
      ...defined({ port: opts.routerPort }),
      now,
      mode: opts.routerMode ?? 'redirect',
      recordCap: opts.recordCap,
      ...(proxyHost === 'same' ? { vpnProxy: proxy.app } : {}),
    });
    started.push(router);
    const authOrigin = `${router.url}/no-auth`;
    // Several profiles share a page (github_enterprise uses "github"); the page's own provider names it.
    const displayNames = new Map<string, string>();
    for (const p of opts.profiles.values()) {
      const page = p.authCompletePage ?? p.id;
      if (!displayNames.has(page) || p.id === page) displayNames.set(page, p.displayName);
    }
    const marketing = await startMarketing(displayNames, listenOpts());
    started.push(marketing);

    const lp = await startLabProviders({
      ids: opts.providers,
      config: opts.config,
      profiles: opts.profiles,
      authOrigin,
      now,
      consent: opts.consent ?? 'auto',
      recordCap: opts.recordCap,
      listenOpts,
      started,
    });
    const { providers } = lp;

    const envs = new Map<string, RunningApi>();
    for (const name of opts.envs ?? [opts.config.defaultEnvironment]) {
      const env = opts.config.environments.find((e) => e.name === name);
      if (!env)
        throw new AppError('LAB_CONFIG_INVALID', `environment "${name}" is not in the lab config`, {
          hint: `Known: ${opts.config.environments.map((e) => e.name).join(', ')}`,
        });
      const api = await startMockApi({
        ctx: createApiContext({
          config: opts.config,
          profiles: opts.profiles,
          env,
          now,
          fetch: opts.fetch,
          authOrigin,
          marketingUrl: marketing.url,
          providerUrls: lp.providerUrls,
          providerApiUrls: lp.providerApiUrls,
          hostOrigins: lp.hostOrigins,
          successPage: opts.successPage,
          exchangeTimeoutMs: opts.exchangeTimeoutMs,
          recordCap: opts.recordCap,
        }),
        extensions: opts.extensions ?? defaultApiExtensions(),
        ...listenOpts(),
      });
      started.push(api);
      envs.set(name, api);
      if (env.callbackEnvironment !== null) router.environments.set(env.callbackEnvironment, api.url);
      routeApps(proxy.table, 'slack', Object.keys(env.integrations.slack?.signingSecretsByAppIds ?? {}), {
        env: name,
        url: api.url,
      });
      routeApps(proxy.table, 'msteams', env.integrations.msteams?.botAppIds ?? [], { env: name, url: api.url });
    }
    registerEnvironmentCallbacks(
      lp,
      [...envs.values()].map((e) => e.url),
    );
    const added = new Map<string, SeedUserInput>();
    const ownProxy = proxyHost === 'separate' ? await startVpnProxy(proxy, listenOpts()) : undefined;
    if (ownProxy) started.push(ownProxy);
    return {
      config: opts.config,
      profiles: opts.profiles,
      router,
      marketing,
      providers,
      envs,
      authOrigin,
      vpnProxy: { url: ownProxy?.url ?? router.url, host: proxyHost, table: proxy.table, hits: proxy.hits },
      externalOrigins: lp.externalOrigins,
      hostOrigins: lp.hostOrigins,
      successPage: opts.successPage ?? 'marketing',
      users: added,
      addUser(user) {
        added.set(user.id, user);
        for (const api of envs.values()) api.control.inject.addUser(user);
      },
      removeUser(id) {
        added.delete(id);
        for (const api of envs.values()) api.control.inject.removeUser(id);
      },
      close: () => closeAll(started),
    };
  } catch (err) {
    await closeAll(started);
    throw err;
  }
}

async function closeAll(started: Array<{ close(): Promise<void> }>): Promise<void> {
  // Closing in reverse start order; a close failure must not keep the others open.
  await Promise.allSettled([...started].reverse().map((s) => s.close()));
}

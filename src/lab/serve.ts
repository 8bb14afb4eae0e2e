/**
 * `serve`: the whole lab kept up for manual use (a real browser, a real IDE extension). Starts it,
 * describes every URL and the seeded credentials, and turns listen failures into clear errors.
 */
import { AppError, UsageError } from '../errors.js';
import type { LabConfig } from './config.js';
import { startLab, type Lab } from './start-lab.js';
import type { RouterMode } from '../mock-edge/router.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { defined } from '../util/defined.js';
import { objectOrEmpty } from '../util/json.js';
import { toText } from '../util/to-text.js';

export interface ServeOptions {
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  providers: readonly string[];
  envs: readonly string[];
  consent: 'auto' | 'page';
  successPage: 'marketing' | 'api';
  host?: string | undefined;
  publicHost?: string | undefined;
  port?: number | undefined;
  routerMode?: RouterMode | undefined;
  proxyHost?: 'same' | 'separate' | undefined;
  /** Entries each server's journals and records keep (LabOptions.recordCap). */
  recordCap?: number | undefined;
  now: () => number;
  fetch: typeof fetch;
}

/** Everything an IDE, a browser or a script needs to use the lab; `serve --json` prints exactly this. */
export interface ServeInfo {
  envs: Array<{ name: string; callbackEnvironment: string | null; apiUrl: string; broadcasterUrl: string }>;
  router: { url: string; authOrigin: string; mode: RouterMode };
  /** Where Slack and MS Teams send provider-initiated calls: <url>/no-auth/provider-action/<provider>. */
  vpnProxy: { url: string; host: 'same' | 'separate' };
  marketingUrl: string;
  /** `hosts`: for enterprise providers, the registered hosts (the IDE's `host`) this mock plays. */
  providers: Array<{ id: string; displayName: string; url: string; apiUrl?: string; hosts?: string[] }>;
  user: { id: string; email: string; accessToken: string; broadcasterToken: string; teamId: string };
  consent: 'auto' | 'page';
  /** The inspector page (issue 17), unless serve --no-inspector. */
  inspectorUrl?: string;
}

/** Starts the lab; a taken port is PORT_IN_USE naming it, an address that is not this machine's a usage error. */
export async function startServeLab(opts: ServeOptions): Promise<Lab> {
  try {
    return await startLab({
      config: opts.config,
      profiles: opts.profiles,
      providers: opts.providers,
      envs: opts.envs,
      consent: opts.consent,
      successPage: opts.successPage,
      now: opts.now,
      fetch: opts.fetch,
      ...defined({
        host: opts.host,
        publicHost: opts.publicHost,
        port: opts.port,
        routerMode: opts.routerMode,
        proxyHost: opts.proxyHost,
        recordCap: opts.recordCap,
      }),
    });
  } catch (err) {
    throw listenFailure(err, opts) ?? err;
  }
}

function listenFailure(err: unknown, opts: ServeOptions): AppError | undefined {
  // A listen error is a Node system error: code, and port and address for the socket it could not bind.
  const { code, port, address } = objectOrEmpty(err);
  const where = `${toText(address ?? opts.host ?? '127.0.0.1')}:${toText(port ?? '?')}`;
  if (code === 'EADDRINUSE') {
    const count = boxCount(opts);
    return new AppError('PORT_IN_USE', `port "${toText(port)}" is already in use (${where})`, {
      cause: err,
      hint:
        `serve needs ${count} consecutive ports from --port ${String(opts.port ?? '')}: pick another first port, ` +
        `or free this one (see "lsof -i :${toText(port)}").`,
      detail: { port, address },
    });
  }
  if (code === 'EACCES') {
    return new UsageError(`port "${toText(port)}" needs privileges to bind (${where})`, {
      cause: err,
      hint: 'Use --port 1024 or above.',
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UsageError(`--host "${String(opts.host)}" is not an address of this machine`, {
      cause: err,
      hint: "Use 127.0.0.1 (the default), 0.0.0.0 or one of this machine's addresses.",
    });
  }
  return undefined;
}

/** How many servers the lab starts, i.e. how many ports --port n takes (n … n+count-1). */
export function boxCount(opts: Pick<ServeOptions, 'providers' | 'envs' | 'proxyHost' | 'profiles'>): number {
  // Providers whose exchange goes to an API host (Linear) listen on a second origin.
  const apiHosts = opts.providers.filter((id) => opts.profiles.get(id)?.token?.onApiHost === true).length;
  return 2 + opts.providers.length + apiHosts + opts.envs.length + (opts.proxyHost === 'separate' ? 1 : 0);
}

/** Loopback hosts need no warning: nothing outside this machine can reach them. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The description `serve` prints, from the running lab and the seed data. */
export function describeLab(lab: Lab, consent: 'auto' | 'page'): ServeInfo {
  const config = lab.config;
  const user = config.users.find((u) => u.id === config.defaultUser);
  if (!user) throw new AppError('LAB_CONFIG_INVALID', `default user "${config.defaultUser}" is not in the lab config`);
  // Every environment knows the same host table; enterprise mocks play the hosts the teams registered.
  const hostOrigins = [...lab.envs.values()][0]?.ctx.hostOrigins;
  return {
    envs: [...lab.envs].map(([name, api]) => ({
      name,
      callbackEnvironment: api.ctx.env.callbackEnvironment,
      apiUrl: api.url,
      broadcasterUrl: `${api.url.replace(/^http/, 'ws')}/broadcaster`,
    })),
    router: { url: lab.router.url, authOrigin: lab.authOrigin, mode: lab.router.mode },
    vpnProxy: { url: lab.vpnProxy.url, host: lab.vpnProxy.host },
    marketingUrl: lab.marketing.url,
    providers: [...lab.providers].map(([id, p]) => {
      const hosts = [...(hostOrigins?.get(id)?.keys() ?? [])];
      return {
        id,
        displayName: p.profile.displayName,
        url: p.url,
        ...defined({ apiUrl: p.apiUrl }),
        ...(hosts.length > 0 ? { hosts } : {}),
      };
    }),
    user: {
      id: user.id,
      email: user.email,
      accessToken: user.accessToken,
      broadcasterToken: user.broadcasterToken,
      teamId: config.defaultTeam,
    },
    consent,
  };
}

/** The human table of `serve` (stdout): every URL, then the seeded user's credentials. */
export function formatServeInfo(info: ServeInfo): string {
  const rows: Array<[string, string] | string> = ['Environments (CodeStream API servers)'];
  for (const env of info.envs) {
    rows.push([`  ${env.name} API`, env.apiUrl], [`  ${env.name} broadcaster`, env.broadcasterUrl]);
    rows.push([
      `  ${env.name} state prefix`,
      env.callbackEnvironment === null ? '(none: callbackEnvironment unset)' : `${env.callbackEnvironment}!`,
    ]);
  }
  const proxyOrigin = info.vpnProxy.host === 'same' ? "on the router's host" : 'its own origin';
  rows.push(
    'Edge',
    [`  router (${info.router.mode === 'redirect' ? '302 redirect mode' : 'reverse-proxy mode'})`, info.router.url],
    ['  authOrigin (redirect_uri base)', info.router.authOrigin],
    ['  marketing site', info.marketingUrl],
    ...(info.inspectorUrl === undefined
      ? []
      : [['  inspector (every flow, live)', info.inspectorUrl] as [string, string]]),
    [`  VPN proxy (Slack, MS Teams calls; ${proxyOrigin})`, info.vpnProxy.url],
  );
  rows.push(`Providers (consent: ${info.consent === 'page' ? 'Approve/Deny page' : 'approved at once'})`);
  for (const p of info.providers) {
    rows.push([
      `  ${p.id} (${p.displayName})`,
      p.hosts === undefined ? p.url : `${p.url}  plays host ${p.hosts.join(', ')}`,
    ]);
    if (p.apiUrl !== undefined) rows.push([`  ${p.id} API host (token exchange)`, p.apiUrl]);
  }
  rows.push(
    `Seeded user (${info.user.id})`,
    ['  email', info.user.email],
    ['  CS access token', info.user.accessToken],
    ['  broadcaster token', info.user.broadcasterToken],
    ['  team id', info.user.teamId],
  );
  const width = Math.max(...rows.map((r) => (typeof r === 'string' ? 0 : r[0].length))) + 2;
  return rows.map((r) => (typeof r === 'string' ? r : `${r[0].padEnd(width)}${r[1]}`)).join('\n') + '\n';
}

/**
 * The library's lab (issue 13): `startLab()` with the fixture data, the per-server handles a test suite reads
 * (environment and provider controls, URLs, users) and one close, also as `Symbol.asyncDispose` for `await using`.
 * The internal Lab, with the clock and fetch its runs use, stays behind a WeakMap: callers get handles, never the
 * lab's insides. The CLI starts its labs here too (src/commands/support/lab-runs.ts).
 */
import type { LabConfig } from '../lab/config.js';
import { startLab as startInternalLab, type Lab } from '../lab/start-lab.js';
import { seedUserPool } from '../lab/user-pool.js';
import type { ApiControl, SeedUserInput } from '../mock-api/control.js';
import type { ProviderControl } from '../mock-provider/index.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { UnknownNameError } from '../errors.js';
import { defined } from '../util/defined.js';
import { loopbackFetch } from '../util/loopback-fetch.js';

/** What to start; everything defaults to the package's fixtures: every provider, every environment. */
export interface StartLabOptions {
  /** Provider ids to mock (default: every profile). */
  providers?: readonly string[];
  /** Environment names (default: every environment of the lab config). */
  envs?: readonly string[];
  /** Pool users to seed at start (`pool-1`…); runs without a `user` get a fresh user of their own anyway. */
  users?: number;
  /** Consent at the mock providers: approved at once (default) or a page to submit. */
  consent?: 'auto' | 'page';
  /** Another lab config or profile set than the package's fixtures. */
  config?: LabConfig;
  profiles?: ReadonlyMap<string, ProviderProfile>;
  /** How the auth-origin router delivers a callback: a 302 (default, the seed's nginx) or as a reverse proxy. */
  routerMode?: 'redirect' | 'proxy';
  /** Where a connect's callback sends the browser: the marketing site (default, the seed) or the API's page. */
  successPage?: 'marketing' | 'api';
  /** Where the VPN proxy answers: on the router's host (default, the seed's "today") or an origin of its own. */
  proxyHost?: 'same' | 'separate';
  /** A fixed port for the router alone (a custom profile's registered redirect URI); default: OS-chosen. */
  routerPort?: number;
  /** The clock of the lab's servers and of every run on it (default `Date.now`), e.g. a fake one. */
  now?: () => number;
  /** The fetch the lab's servers and the runs on it use (default: the lab's own loopback fetch, src/util/loopback-fetch.ts). */
  fetch?: typeof fetch;
}

/** One CodeStream API environment: its URL and its handle (journal, read-only store, broadcasts, injections). */
export interface LabEnvironment {
  readonly name: string;
  readonly url: string;
  readonly control: ApiControl;
}

/** One mock provider: its URL(s) and its handle (journal, issued tokens, one-shot faults, identities). */
export interface LabProvider {
  readonly id: string;
  readonly url: string;
  readonly apiUrl?: string;
  readonly control: ProviderControl;
}

/** Every URL of the lab, as plain data (for a config file or a log line). */
export interface LabUrls {
  router: string;
  authOrigin: string;
  marketing: string;
  vpnProxy: string;
  envs: Record<string, string>;
  providers: Record<string, string>;
}

export type LabUser = SeedUserInput;

/** A running lab; safe to run flows on concurrently. */
export interface CodestreamLab extends AsyncDisposable {
  readonly urls: LabUrls;
  readonly envs: ReadonlyMap<string, LabEnvironment>;
  readonly providers: ReadonlyMap<string, LabProvider>;
  /** Users seeded into every environment after start (pool users and each run's own user), by id. */
  readonly users: ReadonlyMap<string, LabUser>;
  /** The lab config's default environment and user. */
  readonly defaultEnv: string;
  readonly defaultUser: string;
  readonly config: LabConfig;
  readonly profiles: ReadonlyMap<string, ProviderProfile>;
  /** Seeds `count` more users into every environment and returns them. */
  addUsers(count: number): LabUser[];
  /** Closes every server; idempotent. */
  close(): Promise<void>;
}

/** What the runs on a lab share besides its servers: the clock and fetch it was started with. */
export interface LabRuntime {
  lab: Lab;
  now: () => number;
  fetch: typeof fetch;
}

const internals = new WeakMap<CodestreamLab, LabRuntime>();

// Node 20 defines Symbol.asyncDispose (as Symbol.for('nodejs.asyncDispose')); the fallback keeps older runtimes
// from writing an "undefined" key.
const asyncDispose: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('nodejs.asyncDispose') as typeof Symbol.asyncDispose);

/** The package's lab config (fixtures/lab.json). */
export function loadConfig(): Promise<LabConfig> {
  return import('../lab/config.js').then((m) => m.loadLabConfig());
}

/** The package's provider profiles (fixtures/providers), by id. */
export function loadProfiles(): Promise<Map<string, ProviderProfile>> {
  return import('../profiles/profile.js').then((m) => m.loadProfiles());
}

/** Starts the lab on 127.0.0.1 with OS-chosen ports. */
export async function startLab(options: StartLabOptions = {}): Promise<CodestreamLab> {
  const [config, profiles] = await Promise.all([
    // The fixtures' validators (zod) load only when the caller brings no data: the CLI brings its own.
    options.config ?? loadConfig(),
    options.profiles ?? loadProfiles(),
  ]);
  const now = options.now ?? Date.now;
  const fetchFn = options.fetch ?? loopbackFetch;
  const known = [...profiles.keys()];
  for (const id of options.providers ?? []) if (!profiles.has(id)) throw new UnknownNameError('provider', id, known);
  const envNames = config.environments.map((e) => e.name);
  for (const name of options.envs ?? []) {
    if (!envNames.includes(name)) throw new UnknownNameError('environment', name, envNames);
  }
  const lab = await startInternalLab({
    config,
    profiles,
    providers: options.providers ?? known,
    // The default environment first: flows without an `env` run there.
    envs: options.envs ?? [config.defaultEnvironment, ...envNames.filter((n) => n !== config.defaultEnvironment)],
    consent: options.consent ?? 'auto',
    routerMode: options.routerMode ?? 'redirect',
    successPage: options.successPage ?? 'marketing',
    proxyHost: options.proxyHost ?? 'same',
    now,
    fetch: fetchFn,
    ...defined({ routerPort: options.routerPort }),
  });
  if (options.users !== undefined && options.users > 0) seedUserPool(lab, options.users);
  const close = () => lab.close();
  const envs = new Map(
    [...lab.envs].map(([name, api]): [string, LabEnvironment] => [name, { name, url: api.url, control: api.control }]),
  );
  const providers = new Map(
    [...lab.providers].map(([id, p]): [string, LabProvider] => [
      id,
      { id, url: p.url, control: p.control, ...(p.apiUrl === undefined ? {} : { apiUrl: p.apiUrl }) },
    ]),
  );
  let pools = 0;
  const handle: CodestreamLab = {
    urls: {
      router: lab.router.url,
      authOrigin: lab.authOrigin,
      marketing: lab.marketing.url,
      vpnProxy: lab.vpnProxy.url,
      envs: Object.fromEntries([...envs].map(([n, e]) => [n, e.url])),
      providers: Object.fromEntries([...providers].map(([id, p]) => [id, p.url])),
    },
    envs,
    providers,
    users: lab.users,
    defaultEnv: config.defaultEnvironment,
    defaultUser: config.defaultUser,
    config,
    profiles,
    addUsers: (count) => seedUserPool(lab, count, `users${++pools}`),
    close,
    [asyncDispose]: close,
  };
  internals.set(handle, { lab, now, fetch: fetchFn });
  return handle;
}

/** The internal lab behind a handle startLab returned, with its clock and fetch (the flows run in it). */
export function labRuntime(lab: CodestreamLab): LabRuntime {
  const inner = internals.get(lab);
  if (!inner) throw new TypeError('not a lab startLab() returned');
  return inner;
}

/** The internal lab behind a handle startLab returned. */
export function internalLab(lab: CodestreamLab): Lab {
  return labRuntime(lab).lab;
}

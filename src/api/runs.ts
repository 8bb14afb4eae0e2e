/**
 * The one code path of every run in a lab startLab() started (issue 13: "the CLI is built on this API, not beside
 * it"). The library's functions (flows.ts, scenarios.ts) are these with the library's defaults: a user and a person
 * of the run's own, a short poll, the events recorded into a FlowRunResult. The CLI (src/commands) calls these
 * directly with its own defaults (the lab config's user, the profile's account, the webview's poll) and with what
 * the library does not offer, `RunInternals`: the secret registry that redacts its output, `--step`'s hook, the
 * real browser. Not exported from src/index.ts: this layer may change with the CLI.
 */
import type { UrlOpener } from '../agent-sim/real-browser.js';
import { INTERACTIVE_PROVIDERS } from '../agent-sim/provider-calls.js';
import { UnknownNameError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { ConnectBrowserOptions, ConnectBrowserRun } from '../flows/connect/run-browser.js';
import type { ConnectBrowserContext } from '../flows/connect/browser.js';
import { runConnect, type ConnectOptions, type ConnectRun, type FlowDeps } from '../flows/connect/run.js';
import type { ConnectContext } from '../flows/connect/steps.js';
import { runDisconnect, type DisconnectOptions } from '../flows/disconnect/steps.js';
import type { SecretSink } from '../flows/engine/context.js';
import type { RunFlowOptions } from '../flows/engine/runner.js';
import { runInteract, type InteractOptions, type InteractRun } from '../flows/interact/run.js';
import { runRefresh, type RefreshContext, type RefreshOptions } from '../flows/refresh/steps.js';
import type { Scenario, ScenarioResult } from '../flows/scenarios/index.js';
import type { SignupBrowserRun } from '../flows/signup/run-browser.js';
import { runSignup, type SignupOptions, type SignupRun } from '../flows/signup/run.js';
import type { SignupContext } from '../flows/signup/steps.js';
import type { LabConfig } from '../lab/config.js';
import type { Lab } from '../lab/start-lab.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { defined } from '../util/defined.js';
import { labRuntime, type CodestreamLab } from './lab.js';

/** What the CLI adds to a run and the library does not expose. */
export interface RunInternals<C = unknown> {
  /** Registers tokens and secrets as the run learns them, for redaction (the CLI's registry); default: nowhere. */
  secrets?: SecretSink;
  /** Awaited before each step (`--step`). */
  beforeStep?: RunFlowOptions<C>['beforeStep'];
}

/** What every run takes besides its flow's options. */
export interface LabRunOptions {
  env?: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

// The lab's shape (which environments, router mode, success page, proxy host) is startLab's; a run only picks one.
type LabShaped = 'env' | 'envs' | 'routerMode' | 'successPage' | 'beforeStep' | 'proxyHost';
export type ConnectRunOptions = Omit<ConnectOptions, LabShaped> & LabRunOptions;
export type RefreshRunOptions = Omit<RefreshOptions, LabShaped> & LabRunOptions;
export type DisconnectRunOptions = Omit<DisconnectOptions, LabShaped> & LabRunOptions;
export type SignupRunOptions = Omit<SignupOptions, LabShaped> & LabRunOptions;
export type InteractRunOptions = Omit<InteractOptions, LabShaped> & LabRunOptions;
export type ConnectBrowserRunOptions = Omit<ConnectBrowserOptions, LabShaped> & LabRunOptions;
export type SignupBrowserRunOptions = Omit<SignupOptions, LabShaped | 'poll' | 'deny'> & LabRunOptions;

/** The environment a run targets: `env`, or the lab config's default; one the lab does not run is a typed error. */
export function envOf(lab: Lab, env: string | undefined): string {
  const name = env ?? lab.config.defaultEnvironment;
  if (!lab.envs.has(name)) throw new UnknownNameError('environment', name, [...lab.envs.keys()]);
  return name;
}

/** A user the lab knows (the config's or a seeded one), as a typed error naming the known ones otherwise. */
export function knownUser(lab: Lab, user: string | undefined): void {
  if (user === undefined) return;
  const known = [lab.config.defaultUser, ...lab.config.users.map((u) => u.id), ...lab.users.keys()];
  if (!known.includes(user)) throw new UnknownNameError('user', user, [...new Set(known)]);
}

function knownIn(provider: string, what: readonly string[]): void {
  if (!what.includes(provider)) throw new UnknownNameError('provider', provider, what);
}

/** Providers the lab runs: its mocks and the real servers of custom profiles. */
function labProviders(lab: Lab): string[] {
  return [...lab.providers.keys(), ...lab.externalOrigins.keys()];
}

/** The flow runners' dependencies for a run on `handle`: the lab's data, clock and fetch, the run's sink and signal. */
export function depsFor(
  handle: CodestreamLab,
  opts: LabRunOptions,
  internals: Pick<RunInternals, 'secrets'>,
): FlowDeps {
  const { lab, now, fetch } = labRuntime(handle);
  return {
    config: lab.config,
    profiles: lab.profiles,
    fetch,
    now,
    onEvent: opts.onEvent ?? (() => undefined),
    secrets: internals.secrets ?? { add: () => undefined },
    ...defined({ signal: opts.signal }),
  };
}

// The flow runners' own options: the run's fields without the sink and signal (those travel in the deps).
function flowOptions<O extends LabRunOptions>(lab: Lab, opts: O): Omit<O, 'onEvent' | 'signal'> & { env: string } {
  const { onEvent: _onEvent, signal: _signal, ...rest } = opts;
  return { ...rest, env: envOf(lab, opts.env) };
}

/** A connect in the lab: the token the provider issued must reach the agent, and only it. */
export async function connectWith(
  handle: CodestreamLab,
  opts: ConnectRunOptions,
  internals: RunInternals<ConnectContext> = {},
): Promise<ConnectRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, labProviders(lab));
  knownUser(lab, opts.user);
  const options = { ...flowOptions(lab, opts), ...defined({ beforeStep: internals.beforeStep }) };
  return runConnect(options, depsFor(handle, opts, internals), lab);
}

/** A connect, then the agent refreshes the token. */
export async function refreshWith(
  handle: CodestreamLab,
  opts: RefreshRunOptions,
  internals: RunInternals<RefreshContext> = {},
): Promise<ConnectRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, labProviders(lab));
  knownUser(lab, opts.user);
  const options = { ...flowOptions(lab, opts), ...defined({ beforeStep: internals.beforeStep }) };
  return runRefresh(options, depsFor(handle, opts, internals), lab);
}

/** A connect, then the agent disconnects the provider. */
export async function disconnectWith(
  handle: CodestreamLab,
  opts: DisconnectRunOptions,
  internals: Pick<RunInternals, 'secrets'> = {},
): Promise<ConnectRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, labProviders(lab));
  knownUser(lab, opts.user);
  return runDisconnect(flowOptions(lab, opts), depsFor(handle, opts, internals), lab);
}

/** Providers of the lab a sign-up can use: sign-in support and an identity lookup. */
function signupProviders(lab: Lab): string[] {
  return labProviders(lab).filter((id) => {
    const profile = lab.profiles.get(id);
    return profile !== undefined && profile.supportsSignup && profile.identity !== undefined;
  });
}

/** Sign-up with a provider (SSO); the lab stays up afterwards, so a caller can still answer check-signup by hand. */
export async function signupWith(
  handle: CodestreamLab,
  opts: SignupRunOptions,
  internals: RunInternals<SignupContext> = {},
): Promise<SignupRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, signupProviders(lab));
  const options = { ...flowOptions(lab, opts), ...defined({ beforeStep: internals.beforeStep }) };
  return runSignup(options, depsFor(handle, opts, internals), lab);
}

/** A provider-initiated call (Slack, MS Teams) through the lab's VPN proxy to the environment that owns the app. */
export async function interactWith(
  handle: CodestreamLab,
  opts: InteractRunOptions,
  internals: Pick<RunInternals, 'secrets'> = {},
): Promise<InteractRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, INTERACTIVE_PROVIDERS);
  knownUser(lab, opts.user);
  return runInteract(flowOptions(lab, opts), depsFor(handle, opts, internals), lab);
}

/** What a real-browser run adds: the browser to open the start URL in. */
export interface BrowserInternals<C = unknown> extends RunInternals<C> {
  openUrl: UrlOpener;
}

/** A connect through a person's own browser; the lab's provider is switched to a consent page. */
export async function connectBrowserWith(
  handle: CodestreamLab,
  opts: ConnectBrowserRunOptions,
  internals: BrowserInternals<ConnectBrowserContext>,
): Promise<ConnectBrowserRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, labProviders(lab));
  knownUser(lab, opts.user);
  const deps = { ...depsFor(handle, opts, internals), openUrl: internals.openUrl };
  const options = { ...flowOptions(lab, opts), ...defined({ beforeStep: internals.beforeStep }) };
  // The real-browser flow and the scenario machinery load when a run uses them (a cold connect stays lean).
  const { runConnectBrowser } = await import('../flows/connect/run-browser.js');
  return runConnectBrowser(options, deps, lab);
}

/** A sign-up through a person's own browser, always polling. */
export async function signupBrowserWith(
  handle: CodestreamLab,
  opts: SignupBrowserRunOptions,
  internals: Omit<BrowserInternals, 'beforeStep'>,
): Promise<SignupBrowserRun> {
  const { lab } = labRuntime(handle);
  knownIn(opts.provider, signupProviders(lab));
  const deps = { ...depsFor(handle, opts, internals), openUrl: internals.openUrl };
  const { runSignupBrowser } = await import('../flows/signup/run-browser.js');
  return runSignupBrowser(flowOptions(lab, opts), deps, lab);
}

/** The lab data a scenario builds its own lab from, with the clock and fetch it runs on. */
export interface ScenarioSource {
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  now: () => number;
  fetch: typeof fetch;
}

/** A scenario's run options: the provider (default: the scenario's, else github) and where. */
export interface ScenarioRunOptions extends LabRunOptions {
  provider?: string;
}

/**
 * The scenario named (from the catalogue) or given, in a lab of its own built from `source`: a scenario injects
 * one-shot faults and moves a clock, which flows in flight on a shared lab would see. Unknown names are typed
 * errors naming the known ones.
 */
export async function scenarioWith(
  source: ScenarioSource,
  named: string | Scenario,
  opts: ScenarioRunOptions = {},
  internals: Pick<RunInternals, 'secrets'> = {},
): Promise<ScenarioResult> {
  const { runScenario, scenarioCatalogue } = await import('../flows/scenarios/index.js');
  const scenario = typeof named === 'string' ? scenarioCatalogue.find((s) => s.name === named) : named;
  if (!scenario)
    throw new UnknownNameError(
      'scenario',
      typeof named === 'string' ? named : named.name,
      scenarioCatalogue.map((s) => s.name),
    );
  if (opts.provider !== undefined && !source.profiles.has(opts.provider))
    throw new UnknownNameError('provider', opts.provider, [...source.profiles.keys()]);
  const envs = source.config.environments.map((e) => e.name);
  if (opts.env !== undefined && !envs.includes(opts.env)) throw new UnknownNameError('environment', opts.env, envs);
  const deps: FlowDeps = {
    config: source.config,
    profiles: source.profiles,
    fetch: source.fetch,
    now: source.now,
    onEvent: opts.onEvent ?? (() => undefined),
    secrets: internals.secrets ?? { add: () => undefined },
    ...defined({ signal: opts.signal }),
  };
  return runScenario(scenario, defined({ provider: opts.provider, env: opts.env }), deps);
}

/** A started lab's data as a scenario's source. */
export function scenarioSourceOf(handle: CodestreamLab): ScenarioSource {
  const { lab, now, fetch } = labRuntime(handle);
  return { config: lab.config, profiles: lab.profiles, now, fetch };
}

/**
 * The library's flows (issue 13): each runs in a lab startLab() returned, safe to call concurrently (issue 11:
 * every flow finds its records by its own code, state, signup token and user). A connect, refresh or disconnect
 * without a `user` runs as a fresh user of its own, so concurrent runs never share a providerInfo slot.
 */
import { UnknownNameError, toErrorInfo, type ErrorInfo } from '../errors.js';
import { recordEvents, teeEvents, type EventSink, type FlowEvent } from '../events.js';
import { runConnect as connectIn, type FlowDeps } from '../flows/connect/run.js';
import { runDisconnect as disconnectIn } from '../flows/disconnect/steps.js';
import type { FlowOutcome } from '../flows/engine/runner.js';
import { runInteract as interactIn } from '../flows/interact/run.js';
import { runRefresh as refreshIn } from '../flows/refresh/steps.js';
import { runSignup as signupIn } from '../flows/signup/run.js';
import type { InteractiveProvider, Tamper } from '../agent-sim/provider-calls.js';
import type { MockAccount } from '../profiles/identity.js';
import { internalLab, type CodestreamLab } from './lab.js';
import type { Lab } from '../lab/start-lab.js';
import { loopbackFetch } from '../util/loopback-fetch.js';

/** What every run takes besides its flow's options. */
export interface RunOptions {
  /** Environment to run in (default: the lab config's default). */
  env?: string;
  /** Each event as it happens (the same events `result.events` holds at the end). */
  onEvent?: (event: FlowEvent) => void;
  /** Aborts the run (it ends with FLOW_ABORTED). */
  signal?: AbortSignal;
}

/** How a run ended: the events it emitted and the flow's result record (tokens, statuses). */
export interface FlowRunResult {
  ok: boolean;
  /** The step that failed, when one did. */
  failedStep: string | undefined;
  error: ErrorInfo | undefined;
  events: FlowEvent[];
  /** The flow-finished event's result: issuedToken, deliveredToken, tokenDelivered… per flow. */
  result: Record<string, unknown>;
  ms: number;
}

export interface ConnectOptions extends RunOptions {
  provider: string;
  /** The CodeStream user who connects (a lab user id); default: a fresh user of this run's own. */
  user?: string;
  /** Enterprise host; default: the first host the team registers for the provider. */
  host?: string;
  /** Start at /web/provider-auth (default) or the no-auth route. */
  entry?: 'web' | 'no-auth';
}

export type RefreshOptions = Omit<ConnectOptions, 'entry'>;

export interface DisconnectOptions extends Omit<ConnectOptions, 'entry'> {
  /** Send no host with the deauth even for an enterprise host. */
  withoutHost?: boolean;
}

export interface SignupOptions extends RunOptions {
  provider: string;
  /** Poll check-signup until the login package (default true); false stops after the browser leg. */
  poll?: boolean;
  intervalMs?: number;
  timeoutMs?: number;
  /** The user clicks Deny at the consent screen. */
  deny?: boolean;
  /** Fields of the account the provider signs in (default: a person of this run's own). */
  identity?: Partial<MockAccount>;
}

export interface InteractOptions extends RunOptions {
  provider: InteractiveProvider;
  tamper?: Tamper;
}

// A short poll keeps suites fast; the webview's 5 s is what `signup --poll` uses.
const LIBRARY_POLL_INTERVAL_MS = 20;
let runs = 0;

function knownIn(provider: string, what: readonly string[]): void {
  if (!what.includes(provider)) throw new UnknownNameError('provider', provider, what);
}

export function envOf(lab: Lab, env: string | undefined): string {
  const name = env ?? lab.config.defaultEnvironment;
  if (!lab.envs.has(name)) throw new UnknownNameError('environment', name, [...lab.envs.keys()]);
  return name;
}

/** The deps a run needs, with its events recorded and teed to onEvent. */
export function depsFor(lab: Lab, opts: RunOptions): FlowDeps & { events: FlowEvent[] } {
  const { onEvent, events } = recordEvents();
  const sink: EventSink = opts.onEvent ? teeEvents(onEvent, opts.onEvent) : onEvent;
  return {
    config: lab.config,
    profiles: lab.profiles,
    fetch: loopbackFetch,
    now: Date.now,
    onEvent: sink,
    // Nothing is printed here: the caller gets raw values, as a test wants them.
    secrets: { add: () => undefined },
    events,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  };
}

export function resultOf(outcome: FlowOutcome, events: FlowEvent[]): FlowRunResult {
  const finished = [...events].reverse().find((e) => e.type === 'flow-finished');
  return {
    ok: outcome.ok,
    failedStep: outcome.failedStep,
    error: outcome.error === undefined ? undefined : toErrorInfo(outcome.error),
    events,
    result: finished?.type === 'flow-finished' ? (finished.result ?? {}) : {},
    ms: outcome.ms,
  };
}

/** A user of this run's own (seeded into every environment), unless the caller names one. */
function userFor(lab: Lab, user: string | undefined): string {
  if (user !== undefined) {
    const known = [lab.config.defaultUser, ...lab.config.users.map((u) => u.id), ...lab.users.keys()];
    if (!known.includes(user)) throw new UnknownNameError('user', user, [...new Set(known)]);
    return user;
  }
  const id = `run-${++runs}-${Math.random().toString(36).slice(2, 8)}`;
  lab.addUser({
    id,
    email: `${id}@runs.example`,
    username: id,
    fullName: `Run User ${runs}`,
    accessToken: `cs-token-${id}`,
    broadcasterToken: `bc-token-${id}`,
    teamIds: [lab.config.defaultTeam],
  });
  return id;
}

/** A person of a sign-up's own, so concurrent sign-ups resolve to different users (ids typed as the profile's). */
function personFor(lab: Lab, provider: string): Partial<MockAccount> {
  const n = ++runs;
  const tag = `${n}-${Math.random().toString(36).slice(2, 8)}`;
  const sample = lab.profiles.get(provider)?.identity?.account.id;
  return {
    id: typeof sample === 'number' ? 8_000_000 + n : `person-${tag}`,
    username: `person-${tag}`,
    fullName: `Person ${n}`,
    email: `person-${tag}@people.example`,
  };
}

type ConnectLike = typeof connectIn;

async function connectFamily(
  run: ConnectLike,
  handle: CodestreamLab,
  opts: ConnectOptions & { withoutHost?: boolean },
): Promise<FlowRunResult> {
  const lab = internalLab(handle);
  knownIn(opts.provider, [...lab.providers.keys(), ...lab.externalOrigins.keys()]);
  const env = envOf(lab, opts.env);
  const user = userFor(lab, opts.user);
  const deps = depsFor(lab, opts);
  const { outcome } = await run(
    {
      provider: opts.provider,
      env,
      user,
      ...(opts.host === undefined ? {} : { host: opts.host }),
      ...(opts.entry === undefined ? {} : { entry: opts.entry }),
      ...(opts.withoutHost === undefined ? {} : { withoutHost: opts.withoutHost }),
    },
    deps,
    lab,
  );
  return resultOf(outcome, deps.events);
}

/** A logged-in user connects a provider: the token the provider issued must reach the agent, and only it. */
export function runConnect(lab: CodestreamLab, options: ConnectOptions): Promise<FlowRunResult> {
  return connectFamily(connectIn, lab, options);
}

/** A connect, then the agent refreshes the token. */
export function runRefresh(lab: CodestreamLab, options: RefreshOptions): Promise<FlowRunResult> {
  return connectFamily(refreshIn, lab, options);
}

/** A connect, then the agent disconnects the provider. */
export function runDisconnect(lab: CodestreamLab, options: DisconnectOptions): Promise<FlowRunResult> {
  return connectFamily(disconnectIn, lab, options);
}

/** Sign-up with a provider (SSO) through to the login package; each run signs in as a person of its own. */
export async function runSignup(handle: CodestreamLab, options: SignupOptions): Promise<FlowRunResult> {
  const lab = internalLab(handle);
  const withSignup = [...lab.providers.values()]
    .filter((p) => p.profile.supportsSignup && p.profile.identity !== undefined)
    .map((p) => p.profile.id);
  knownIn(options.provider, withSignup);
  const env = envOf(lab, options.env);
  const deps = depsFor(lab, options);
  const identity = options.identity ?? personFor(lab, options.provider);
  const { outcome } = await signupIn(
    {
      provider: options.provider,
      env,
      poll: options.poll ?? true,
      intervalMs: options.intervalMs ?? LIBRARY_POLL_INTERVAL_MS,
      timeoutMs: options.timeoutMs ?? 10_000,
      identity,
      ...(options.deny === undefined ? {} : { deny: options.deny }),
    },
    deps,
    lab,
  );
  return resultOf(outcome, deps.events);
}

/**
 * A provider-initiated call (Slack, MS Teams) through the VPN proxy to the environment that owns the app. It runs
 * in a lab of its own with the same config, profiles and environments: its isolation check wants the other
 * environments untouched as a whole (an interact carries no state of its own to tell its traffic apart), which
 * other flows in flight on the shared lab would break.
 */
export async function runInteract(handle: CodestreamLab, options: InteractOptions): Promise<FlowRunResult> {
  const lab = internalLab(handle);
  knownIn(options.provider, ['slack', 'msteams']);
  const env = envOf(lab, options.env);
  const deps = depsFor(lab, options);
  const { outcome } = await interactIn(
    {
      provider: options.provider,
      env,
      envs: [...lab.envs.keys()],
      ...(options.tamper === undefined ? {} : { tamper: options.tamper }),
    },
    deps,
  );
  return resultOf(outcome, deps.events);
}

/**
 * The library's flows (issue 13): each runs in the lab startLab() returned, safe to call concurrently (issue 11:
 * every flow finds its records by its own code, state, signup token, call id and user). Each function is the
 * internal run of runs.ts, the one the CLI uses, with the library's defaults: a run without a `user` runs as a
 * fresh user of its own (so concurrent runs never share a providerInfo slot or a me-channel), a sign-up without an
 * `identity` as a person of its own, polls are short, and the events are recorded into the result.
 */
import { randomBytes } from 'node:crypto';
import { toErrorInfo, type ErrorInfo } from '../errors.js';
import { recordEvents, teeEvents, type EventSink, type FlowEvent } from '../events.js';
import type { FlowOutcome } from '../flows/engine/runner.js';
import type { InteractiveProvider, Tamper } from '../agent-sim/provider-calls.js';
import type { MockAccount } from '../profiles/identity.js';
import { internalLab, type CodestreamLab } from './lab.js';
import { connectWith, disconnectWith, interactWith, knownUser, refreshWith, signupWith } from './runs.js';

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
  /** The CodeStream user whose me-channel hears of the call; default: a fresh user with a Slack identity of its own. */
  user?: string;
}

// A short poll keeps suites fast; the webview's 5 s is what `signup --poll` uses.
const LIBRARY_POLL_INTERVAL_MS = 20;
let runs = 0;

/** The result of a run whose events `recorded` collected. */
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

/** The run's events recorded (and teed to the caller's onEvent) while `run` runs. */
export async function recorded(
  opts: RunOptions,
  run: (onEvent: EventSink) => Promise<{ outcome: FlowOutcome }>,
): Promise<FlowRunResult> {
  const { onEvent, events } = recordEvents();
  const sink = opts.onEvent ? teeEvents(onEvent, opts.onEvent) : onEvent;
  const { outcome } = await run(sink);
  return resultOf(outcome, events);
}

/**
 * The run's user: the one the caller names, or a fresh one seeded into every environment. An interact's user also
 * gets a Slack identity of its own, so that its button press maps to it and to nobody else (contract §7).
 */
function userFor(handle: CodestreamLab, user: string | undefined, withSlack = false): string {
  const lab = internalLab(handle);
  if (user !== undefined) {
    knownUser(lab, user);
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
    ...(withSlack ? { providerIdentities: [`slack::U${randomBytes(5).toString('hex').toUpperCase()}`] } : {}),
  });
  return id;
}

/** A person of a sign-up's own, so concurrent sign-ups resolve to different users (ids typed as the profile's). */
function personFor(handle: CodestreamLab, provider: string): Partial<MockAccount> {
  const n = ++runs;
  const tag = `${n}-${Math.random().toString(36).slice(2, 8)}`;
  const sample = handle.profiles.get(provider)?.identity?.account.id;
  return {
    id: typeof sample === 'number' ? 8_000_000 + n : `person-${tag}`,
    username: `person-${tag}`,
    fullName: `Person ${n}`,
    email: `person-${tag}@people.example`,
  };
}

/** A logged-in user connects a provider: the token the provider issued must reach the agent, and only it. */
export async function runConnect(lab: CodestreamLab, options: ConnectOptions): Promise<FlowRunResult> {
  return recorded(options, (onEvent) => connectWith(lab, { ...options, user: userFor(lab, options.user), onEvent }));
}

/** A connect, then the agent refreshes the token. */
export async function runRefresh(lab: CodestreamLab, options: RefreshOptions): Promise<FlowRunResult> {
  return recorded(options, (onEvent) => refreshWith(lab, { ...options, user: userFor(lab, options.user), onEvent }));
}

/** A connect, then the agent disconnects the provider. */
export async function runDisconnect(lab: CodestreamLab, options: DisconnectOptions): Promise<FlowRunResult> {
  return recorded(options, (onEvent) => disconnectWith(lab, { ...options, user: userFor(lab, options.user), onEvent }));
}

/** Sign-up with a provider (SSO) through to the login package; each run signs in as a person of its own. */
export async function runSignup(lab: CodestreamLab, options: SignupOptions): Promise<FlowRunResult> {
  return recorded(options, (onEvent) =>
    signupWith(lab, {
      ...options,
      poll: options.poll ?? true,
      intervalMs: options.intervalMs ?? LIBRARY_POLL_INTERVAL_MS,
      timeoutMs: options.timeoutMs ?? 10_000,
      identity: options.identity ?? personFor(lab, options.provider),
      onEvent,
    }),
  );
}

/**
 * A provider-initiated call (Slack, MS Teams) through the VPN proxy to the environment that owns the app, in this
 * lab and safe next to other flows: the run finds its call everywhere by the id the call carries (Slack's
 * trigger_id, the Teams activity id), and its isolation check wants no other environment to have received it.
 */
export async function runInteract(lab: CodestreamLab, options: InteractOptions): Promise<FlowRunResult> {
  return recorded(options, (onEvent) =>
    interactWith(lab, { ...options, user: userFor(lab, options.user, true), onEvent }),
  );
}

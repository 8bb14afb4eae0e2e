/** What every flow runner repeats: the lab it starts (or is lent), the seeded agent, runFlow's options. */
import { ApiClient } from '../../agent-sim/api-client.js';
import { BroadcastClient } from '../../agent-sim/broadcast-client.js';
import { AppError } from '../../errors.js';
import { defined } from '../../util/defined.js';
import type { EventSink } from '../../events.js';
import type { LabConfig } from '../../lab/config.js';
import { startLab, type FlowLab, type Lab, type LabApi, type LabOptions } from '../../lab/start-lab.js';
import type { RouterMode } from '../../mock-edge/router.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { connectStepsFor, type ConnectContext } from '../connect/steps.js';
import { createBrowser, type AgentContext, type SecretSink } from './context.js';
import { labEnvironments } from '../../lab/envs.js';
import { runFlow, type FlowOutcome, type RunFlowOptions, type Step } from './runner.js';
import { reportServerCalls } from './server-calls.js';
import { unmockedProvider } from '../../lab/unmocked-provider.js';
import { loginOf } from '../../profiles/login-values.js';

/** The part of a runner's dependencies the lab, the agent and runFlow use. */
export interface LabRunDeps {
  config: LabConfig;
  profiles: ReadonlyMap<string, ProviderProfile>;
  fetch: typeof fetch;
  now: () => number;
  onEvent: EventSink;
  secrets: SecretSink;
  signal?: AbortSignal | undefined;
}

/** The command options that shape the lab of a one-provider run. */
export interface LabRunOptions {
  provider: string;
  envs?: readonly string[] | undefined;
  routerMode?: RouterMode | undefined;
  successPage?: 'marketing' | 'api' | undefined;
}

/**
 * The lab of a one-provider run: `envName` first among `opts.envs` (all by default), the router delivering by
 * 302 and the marketing success page unless asked otherwise; `extra` adds or overrides (consent, proxy, ports).
 */
export function labOptionsFor(
  deps: Pick<LabRunDeps, 'config' | 'profiles' | 'now' | 'fetch'>,
  envName: string,
  opts: LabRunOptions,
  extra: Partial<LabOptions> = {},
): LabOptions {
  // A custom profile registered with a fixed callback port needs the router on that port, in every flow.
  const callbackPort = deps.profiles.get(opts.provider)?.server?.callbackPort;
  return {
    config: deps.config,
    profiles: deps.profiles,
    providers: [opts.provider],
    envs: labEnvironments(deps.config, envName, opts.envs),
    routerMode: opts.routerMode ?? 'redirect',
    successPage: opts.successPage ?? 'marketing',
    now: deps.now,
    fetch: deps.fetch,
    ...defined({ routerPort: callbackPort }),
    ...extra,
  };
}

/**
 * Runs `use` in `useLab`, or in a lab started from `options()` and closed afterwards whatever happens;
 * a lent lab is the caller's to close.
 */
export async function withLab<T>(
  useLab: Lab | undefined,
  options: () => LabOptions,
  use: (lab: Lab) => Promise<T>,
): Promise<T> {
  const lab = useLab ?? (await startLab(options()));
  try {
    return await use(lab);
  } finally {
    if (!useLab) await lab.close();
  }
}

/**
 * The lab handles an agent-side flow on `providerId` in `envName` shares, with a fresh headless browser;
 * `mocked` is false for a custom profile (--profile), which runs against a real server through a journal-less stand-in.
 */
export function agentContextFor(
  lab: FlowLab,
  envName: string,
  providerId: string,
  deps: LabRunDeps,
): { base: AgentContext; mocked: boolean } {
  const api = lab.envs.get(envName);
  const profile = deps.profiles.get(providerId);
  const external = lab.externalOrigins.get(providerId);
  const mocked = lab.providers.get(providerId);
  const provider = mocked ?? (profile && external !== undefined ? unmockedProvider(profile, external) : undefined);
  if (!api || !provider || !profile)
    throw new AppError('PROVIDER_UNKNOWN', `the lab runs no "${providerId}" in "${envName}"`);
  // A custom profile's login values are secrets: registered before any hop can show them.
  const login = mocked === undefined ? loginOf(deps.config.clients[providerId]) : undefined;
  for (const value of Object.values(login?.fields ?? {})) deps.secrets.add(value);
  const base = {
    lab,
    envName,
    api,
    provider,
    profile,
    now: deps.now,
    fetch: deps.fetch,
    secrets: deps.secrets,
    onEvent: deps.onEvent,
    browser: createBrowser(lab, deps),
    ...defined({ login }),
  };
  return { base, mocked: mocked !== undefined };
}

/** The seeded default user as the agent: its API client and me-channel client. */
export interface AgentParts {
  client: ApiClient;
  broadcasts: BroadcastClient;
  userId: string;
  broadcasterToken: string;
  teamId: string;
}

/**
 * Builds the agent of `userId` (default: the lab config's default user; a pool user the lab seeded) against
 * `api`, registering its tokens as secrets.
 */
export function agentParts(
  lab: Pick<FlowLab, 'users'>,
  api: Pick<LabApi, 'url'>,
  deps: LabRunDeps,
  userId = deps.config.defaultUser,
): AgentParts {
  const user = deps.config.users.find((u) => u.id === userId) ?? lab.users.get(userId);
  if (!user) throw new AppError('LAB_CONFIG_INVALID', `user "${userId}" is neither in the lab config nor seeded`);
  deps.secrets.add(user.accessToken);
  deps.secrets.add(user.broadcasterToken);
  return {
    client: new ApiClient({
      baseUrl: api.url,
      accessToken: user.accessToken,
      fetch: deps.fetch,
      now: deps.now,
      onEvent: deps.onEvent,
    }),
    broadcasts: new BroadcastClient(),
    userId: user.id,
    broadcasterToken: user.broadcasterToken,
    teamId: deps.config.defaultTeam,
  };
}

/** What names a run in its flow-started event, and what its flow-finished event adds. */
export interface FlowRunSpec<C> {
  flow: string;
  provider: string;
  env: string;
  result: () => Record<string, unknown>;
  beforeStep?: RunFlowOptions<C>['beforeStep'] | undefined;
}

/**
 * runFlow with the deps' event sink, clock and abort signal. After each step (passed or failed) the calls the API
 * made to providers during it are reported, so every report shows the exchange the browser never sees.
 */
export function runFlowIn<C extends { lab: FlowLab }>(
  steps: readonly Step<C>[],
  context: C,
  deps: Pick<LabRunDeps, 'onEvent' | 'now' | 'signal'>,
  spec: FlowRunSpec<C>,
): Promise<FlowOutcome> {
  return runFlow(steps.map(withServerCalls), context, {
    flow: spec.flow,
    provider: spec.provider,
    env: spec.env,
    onEvent: deps.onEvent,
    now: deps.now,
    ...defined({ signal: deps.signal, beforeStep: spec.beforeStep }),
    result: spec.result,
  });
}

// The step keeps its id and title (--step shows them); only its run reports the provider calls afterwards.
function withServerCalls<C extends { lab: FlowLab }>(step: Step<C>): Step<C> {
  return {
    ...step,
    async run(ctx, s) {
      try {
        return await step.run(ctx, s);
      } finally {
        reportServerCalls(ctx.lab, s.emit);
      }
    },
  };
}

/** runFlowIn, then closes the agent's me-channel client; the outcome with the context it ran on. */
export async function runAgentFlow<C extends { lab: FlowLab; broadcasts: BroadcastClient }>(
  steps: readonly Step<C>[],
  context: C,
  deps: Pick<LabRunDeps, 'onEvent' | 'now' | 'signal'>,
  spec: FlowRunSpec<C>,
): Promise<{ outcome: FlowOutcome; context: C }> {
  const outcome = await runFlowIn(steps, context, deps, spec);
  await context.broadcasts.close();
  return { outcome, context };
}

/** The connect steps for `ctx`'s profile with `steps` before the final isolation check, which then sees them too. */
export function connectStepsBeforeIsolation<C extends ConnectContext>(ctx: C, steps: readonly Step<C>[]): Step<C>[] {
  const connect: Step<C>[] = connectStepsFor(ctx.profile);
  const at = connect.findIndex((s) => s.id === 'isolation');
  return at < 0 ? [...connect, ...steps] : [...connect.slice(0, at), ...steps, ...connect.slice(at)];
}

/**
 * Runs one scenario in a lab of its own (faults and the clock are per lab, so runs never disturb
 * each other) and says whether the system behaved as the scenario expects, naming the step if not.
 */
import { AppError, UsageError } from '../../errors.js';
import { startLab } from '../../lab/start-lab.js';
import { defined } from '../../util/defined.js';
import { flowKind } from '../connect/expect.js';
import type { RefreshContext } from '../refresh/steps.js';
import { INTERACTIVE_PROVIDERS } from '../../agent-sim/provider-calls.js';
import type { DisconnectContext } from '../disconnect/steps.js';
import { createInteractContext } from '../interact/run.js';
import { planDisconnect, withoutHostOf } from './plan/disconnect.js';
import { planInteract, tamperOf } from './plan/interact.js';
import { createConnectContext, type FlowDeps } from '../connect/run.js';
import { createSignupContext } from '../signup/run.js';
import { runFlow, type FlowOutcome } from '../engine/runner.js';
import { signupPollSteps } from '../signup/steps.js';
import { createScenarioClock } from './inject/clock.js';
import { compileSignup } from './plan/expect-signup.js';
import { labOptionsOf } from './inject/injections.js';
import { planConnect } from './plan/connect.js';
import { planFlow, type FlowPlan } from './plan/plan.js';
import { planRefresh } from './plan/refresh.js';
import { createScenarioPollClock, type ScenarioPollClock } from './inject/poll-clock.js';
import type { ScenarioRuntime } from './runtime.js';
import type { Requirement, Scenario } from './types.js';

/** Where to run a scenario; both default from the scenario and the lab config. */
export interface ScenarioRunOptions {
  /** The provider to run against (default: the scenario's, else "github"). */
  provider?: string;
  env?: string;
}

/** A scenario run: passed when the system behaved as expected; `outcome.failedStep` names where it did not. */
export interface ScenarioResult {
  scenario: Scenario;
  provider: string;
  env: string;
  ok: boolean;
  /** Why the scenario could not run here (a missing second provider…); ok is false and outcome absent. */
  skipped?: string;
  outcome?: FlowOutcome;
}

/** The provider a scenario runs against when neither it nor the caller names one. */
export const DEFAULT_SCENARIO_PROVIDER = 'github';

/** Why `scenario` cannot run with `provider` in this lab data, or undefined when it can. */
export function unmetRequirement(
  scenario: Scenario,
  provider: string,
  deps: Pick<FlowDeps, 'profiles' | 'config'>,
): string | undefined {
  const profile = deps.profiles.get(provider);
  if (!profile) return `no provider profile "${provider}"`;
  const checks: Record<Requirement, () => string | undefined> = {
    'signup-provider': () =>
      profile.supportsSignup && profile.identity !== undefined
        ? undefined
        : `provider "${provider}" does not support sign-up`,
    // Authorize errors, codes and exchanges exist only in the OAuth 2 code flow (not fragment or OAuth 1.0a providers).
    'code-flow': () =>
      flowKind(profile) === 'code'
        ? undefined
        : `provider "${provider}" uses the ${flowKind(profile)} flow, not the OAuth 2 code flow`,
    // An enterprise state carries a host, which the other provider does not have: PRVD-1003 comes first.
    'not-enterprise': () =>
      profile.enterprise ? `provider "${provider}" is an enterprise provider (its state carries a host)` : undefined,
    // A quirk of one provider's answers (GitLab's public email, Bitbucket's primary email).
    'own-provider': () =>
      scenario.provider === undefined || scenario.provider === provider
        ? undefined
        : `the scenario is about a quirk of "${scenario.provider}"`,
    'second-provider': () =>
      secondProvider(provider, deps) === undefined
        ? 'needs a second provider with a client in the lab config'
        : undefined,
    'refresh-provider': () =>
      profile.supportsRefresh && profile.token !== undefined
        ? undefined
        : `provider "${provider}" has no refresh support`,
    'no-refresh': () => (profile.supportsRefresh ? `provider "${provider}" supports refresh` : undefined),
    enterprise: () => (profile.enterprise ? undefined : `provider "${provider}" is not an enterprise provider`),
    'fragment-flow': () =>
      flowKind(profile) === 'fragment' ? undefined : `provider "${provider}" does not return its token in the fragment`,
    // A code-flow provider without an identity lookup, so the sign-up's exchange happens before PRVD-1004.
    'no-identity': () =>
      profile.identity === undefined && flowKind(profile) === 'code' && !profile.enterprise
        ? undefined
        : `provider "${provider}" has an identity lookup or is not a plain code-flow provider`,
  };
  for (const need of scenario.requires ?? []) {
    const reason = checks[need]();
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Runs the scenario; events go to deps.onEvent like any flow's. */
export async function runScenario(
  scenario: Scenario,
  opts: ScenarioRunOptions,
  deps: FlowDeps,
): Promise<ScenarioResult> {
  const provider = opts.provider ?? scenario.provider ?? DEFAULT_SCENARIO_PROVIDER;
  const envName = opts.env ?? deps.config.defaultEnvironment;
  const unmet = unmetRequirement(scenario, provider, deps);
  if (unmet !== undefined) return { scenario, provider, env: envName, ok: false, skipped: unmet };

  const clock = createScenarioClock(deps.now);
  const needsOther = scenario.requires?.includes('second-provider') === true;
  const other = needsOther ? secondProvider(provider, deps) : undefined;
  const lab = await startLab({
    config: deps.config,
    profiles: deps.profiles,
    providers: other === undefined ? [provider] : [provider, other],
    envs: [envName],
    now: clock.now,
    fetch: deps.fetch,
    ...labOptionsOf(scenario.injections),
  });
  try {
    const api = lab.envs.get(envName);
    if (!api) throw new AppError('LAB_CONFIG_INVALID', `the lab did not start environment "${envName}"`);
    const rt: ScenarioRuntime & { poll: ScenarioPollClock } = {
      scenario,
      lab,
      envName,
      api,
      provider,
      other,
      clock,
      poll: createScenarioPollClock(clock),
      startedAt: clock.now(),
      callbackProvider: provider,
      hops: {},
    };
    const outcome = await flowRunners[scenario.flow](rt, { ...deps, now: clock.now });
    return { scenario, provider, env: envName, ok: outcome.ok, outcome };
  } finally {
    await lab.close();
  }
}

type ScenarioFlowRunner = (rt: ScenarioRuntime & { poll: ScenarioPollClock }, deps: FlowDeps) => Promise<FlowOutcome>;

function flowOptions(rt: ScenarioRuntime, deps: FlowDeps) {
  return {
    flow: rt.scenario.flow,
    provider: rt.provider,
    env: rt.envName,
    onEvent: deps.onEvent,
    now: rt.clock.now,
    ...defined({ signal: deps.signal }),
    result: () => ({ scenario: rt.scenario.name, expected: rt.scenario.observes }),
  };
}

// One runner per flow: build the flow's context, install the plan, run, and release what the flow holds.
const flowRunners: Record<Scenario['flow'], ScenarioFlowRunner> = {
  connect(rt, deps) {
    const ctx = createConnectContext(
      rt.lab,
      rt.envName,
      { provider: rt.provider, ...defined({ entry: rt.scenario.entry }) },
      deps,
    );
    return runPlan(rt, deps, ctx, planConnect(rt), () => ctx.broadcasts.close());
  },
  refresh(rt, deps) {
    const ctx: RefreshContext = createConnectContext(rt.lab, rt.envName, { provider: rt.provider }, deps);
    return runPlan(rt, deps, ctx, planRefresh(rt, ctx), () => ctx.broadcasts.close());
  },
  interact(rt, deps) {
    const provider = INTERACTIVE_PROVIDERS.find((p) => p === rt.provider);
    if (provider === undefined)
      throw new UsageError(`an interact scenario needs ${INTERACTIVE_PROVIDERS.join(' or ')}, not "${rt.provider}"`);
    const tamper = tamperOf(rt.scenario.injections);
    const ctx = createInteractContext(rt.lab, rt.envName, { provider, ...defined({ tamper }) }, deps);
    return runPlan(rt, deps, ctx, planInteract(rt, provider), () => ctx.broadcasts.close());
  },
  disconnect(rt, deps) {
    const ctx: DisconnectContext = {
      ...createConnectContext(rt.lab, rt.envName, { provider: rt.provider }, deps),
      withoutHost: withoutHostOf(rt.scenario.injections),
    };
    return runPlan(rt, deps, ctx, planDisconnect(rt, ctx), () => ctx.broadcasts.close());
  },
  signup(rt, deps) {
    // note: a long give-up, because scenarios move the clock by minutes; the cell timeout still bounds wall time.
    const ctx = createSignupContext(
      rt.lab,
      rt.envName,
      {
        provider: rt.provider,
        poll: true,
        intervalMs: 5000,
        timeoutMs: 3_600_000,
        noSignup: rt.scenario.noSignup ?? false,
        clock: rt.poll,
      },
      deps,
    );
    return runPlan(rt, deps, ctx, planFlow(rt, signupPollSteps, compileSignup), async () => {
      // A poller still running (the flow stopped before awaiting it) must end before its servers do.
      ctx.pollAbort.abort();
      rt.poll.release();
      await ctx.poll?.catch(() => undefined);
    });
  },
};

/** Installs a plan on its context, runs its steps, and always releases what the flow holds. */
async function runPlan<C>(
  rt: ScenarioRuntime,
  deps: FlowDeps,
  ctx: C,
  plan: FlowPlan<C>,
  release: () => Promise<void>,
): Promise<FlowOutcome> {
  plan.prepare(ctx);
  await plan.arrange();
  try {
    return await runFlow(plan.steps, ctx, flowOptions(rt, deps));
  } finally {
    await release();
  }
}

/** Finds a scenario by name, as a usage error listing the names when there is none. */
export function findScenario(catalogue: readonly Scenario[], name: string): Scenario {
  const found = catalogue.find((s) => s.name === name);
  if (!found) {
    throw new UsageError(`unknown scenario "${name}"`, { hint: 'Run "codestream-auth scenarios" to list them.' });
  }
  return found;
}

// The first other code-flow provider the lab can run (it needs the CodeStream client registered there).
function secondProvider(provider: string, deps: Pick<FlowDeps, 'profiles' | 'config'>): string | undefined {
  return [...deps.profiles.values()].find(
    (p) => p.id !== provider && deps.config.clients[p.id] !== undefined && flowKind(p) === 'code',
  )?.id;
}

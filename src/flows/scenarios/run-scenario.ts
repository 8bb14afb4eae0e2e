/**
 * Runs one scenario in a lab of its own (faults and the clock are per lab, so runs never disturb
 * each other) and says whether the system behaved as the scenario expects, naming the step if not.
 */
import { AppError, UsageError } from '../../errors.js';
import { startLab } from '../../lab.js';
import { createConnectContext, type FlowDeps } from '../run-connect.js';
import { runFlow, type FlowOutcome } from '../runner.js';
import { createScenarioClock } from './clock.js';
import { planConnect } from './plan-connect.js';
import type { ScenarioRuntime } from './runtime.js';
import type { Injection, Requirement, Scenario } from './types.js';

export interface ScenarioRunOptions {
  /** The provider to run against (default: the scenario's, else "github"). */
  provider?: string;
  env?: string;
}

export interface ScenarioResult {
  scenario: Scenario;
  provider: string;
  env: string;
  ok: boolean;
  /** Why the scenario could not run here (a missing second provider…); ok is false and outcome absent. */
  skipped?: string;
  outcome?: FlowOutcome;
}

export const DEFAULT_SCENARIO_PROVIDER = 'github';

/** Why `scenario` cannot run with `provider` in this lab data, or undefined when it can. */
export function unmetRequirement(scenario: Scenario, provider: string, deps: Pick<FlowDeps, 'profiles' | 'config'>): string | undefined {
  const profile = deps.profiles.get(provider);
  if (!profile) return `no provider profile "${provider}"`;
  const checks: Record<Requirement, () => string | undefined> = {
    'signup-provider': () => (profile.supportsSignup ? undefined : `provider "${provider}" does not support sign-up`),
    'second-provider': () => (secondProvider(provider, deps) === undefined ? 'needs a second provider with a client in the lab config' : undefined),
  };
  for (const need of scenario.requires ?? []) {
    const reason = checks[need]();
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** Runs the scenario; events go to deps.onEvent like any flow's. */
export async function runScenario(scenario: Scenario, opts: ScenarioRunOptions, deps: FlowDeps): Promise<ScenarioResult> {
  const provider = opts.provider ?? scenario.provider ?? DEFAULT_SCENARIO_PROVIDER;
  const envName = opts.env ?? deps.config.defaultEnvironment;
  const unmet = unmetRequirement(scenario, provider, deps);
  if (unmet !== undefined) return { scenario, provider, env: envName, ok: false, skipped: unmet };
  if (scenario.flow !== 'connect') return { scenario, provider, env: envName, ok: false, skipped: `the ${scenario.flow} flow is not available in this build` };

  const clock = createScenarioClock(deps.now);
  const needsOther = scenario.requires?.includes('second-provider') === true;
  const other = needsOther ? secondProvider(provider, deps) : undefined;
  const exchangeTimeoutMs = scenario.injections.find((i): i is Extract<Injection, { kind: 'lab' }> => i.kind === 'lab')?.exchangeTimeoutMs;
  const lab = await startLab({
    config: deps.config,
    profiles: deps.profiles,
    providers: other === undefined ? [provider] : [provider, other],
    envs: [envName],
    now: clock.now,
    fetch: deps.fetch,
    ...(exchangeTimeoutMs === undefined ? {} : { exchangeTimeoutMs }),
  });
  try {
    const api = lab.envs.get(envName);
    if (!api) throw new AppError('LAB_CONFIG_INVALID', `the lab did not start environment "${envName}"`);
    const rewrite = scenario.injections.find((i) => i.kind === 'rewrite-provider' && (i.hop === 'callback' || i.hop === 'api-callback' || i.hop === 'start'));
    const rt: ScenarioRuntime = {
      scenario,
      lab,
      envName,
      api,
      provider,
      other,
      clock,
      startedAt: clock.now(),
      callbackProvider: rewrite?.kind === 'rewrite-provider' ? (rewrite.to === 'other' ? (other ?? '') : rewrite.to) : provider,
      hops: {},
    };
    const flowDeps: FlowDeps = { ...deps, now: clock.now };
    const ctx = createConnectContext(lab, envName, { provider, ...(scenario.entry === undefined ? {} : { entry: scenario.entry }) }, flowDeps);
    const plan = planConnect(rt);
    plan.prepare(ctx);
    await plan.arrange();
    try {
      const outcome = await runFlow(plan.steps, ctx, {
        flow: 'connect',
        provider,
        env: envName,
        onEvent: deps.onEvent,
        now: clock.now,
        ...(deps.signal ? { signal: deps.signal } : {}),
        result: () => ({ scenario: scenario.name, expected: scenario.observes }),
      });
      return { scenario, provider, env: envName, ok: outcome.ok, outcome };
    } finally {
      await ctx.broadcasts.close();
    }
  } finally {
    await lab.close();
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

// The first other provider that the lab can run (it needs the CodeStream client registered there).
function secondProvider(provider: string, deps: Pick<FlowDeps, 'profiles' | 'config'>): string | undefined {
  return [...deps.profiles.keys()].find((id) => id !== provider && deps.config.clients[id] !== undefined);
}

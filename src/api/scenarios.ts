/**
 * Failure scenarios from the library: the catalogue and one run by name. A scenario injects faults and moves a
 * clock of its own, so it runs in a lab of its own built from the given lab's config and profiles: the flows in
 * flight on the shared lab never see its faults.
 */
import { UnknownNameError } from '../errors.js';
import { runScenario as runScenarioIn, scenarioCatalogue, type Scenario } from '../flows/scenarios/index.js';
import { depsFor, envOf, resultOf, type FlowRunResult, type RunOptions } from './flows.js';
import { internalLab, type CodestreamLab } from './lab.js';

export type { Scenario };

/** Every scenario, in listing order. */
export function scenarios(): readonly Scenario[] {
  return scenarioCatalogue;
}

export interface ScenarioOptions extends RunOptions {
  /** The provider to run against (default: the scenario's, else github). */
  provider?: string;
}

/** A scenario's run: ok when the system behaved as the scenario expects; `skipped` says why it could not run. */
export interface ScenarioRunResult extends FlowRunResult {
  scenario: Scenario;
  skipped: string | undefined;
}

/** Runs the scenario `name`; rejects with a typed error naming the known scenarios when there is none. */
export async function runScenario(
  handle: CodestreamLab,
  name: string,
  options: ScenarioOptions = {},
): Promise<ScenarioRunResult> {
  const lab = internalLab(handle);
  const scenario = scenarioCatalogue.find((s) => s.name === name);
  if (!scenario)
    throw new UnknownNameError(
      'scenario',
      name,
      scenarioCatalogue.map((s) => s.name),
    );
  if (options.provider !== undefined && !lab.profiles.has(options.provider))
    throw new UnknownNameError('provider', options.provider, [...lab.profiles.keys()]);
  const env = envOf(lab, options.env);
  const deps = depsFor(lab, options);
  const run = await runScenarioIn(
    scenario,
    { env, ...(options.provider === undefined ? {} : { provider: options.provider }) },
    deps,
  );
  if (run.outcome === undefined) {
    return {
      ok: false,
      failedStep: undefined,
      error: undefined,
      events: deps.events,
      result: {},
      ms: 0,
      scenario,
      skipped: run.skipped,
    };
  }
  // The scenario passes when the system behaved as expected, which may be a failed flow (consent denied).
  return { ...resultOf(run.outcome, deps.events), ok: run.ok, scenario, skipped: run.skipped };
}

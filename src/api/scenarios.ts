/**
 * Failure scenarios from the library: the catalogue and one run by name. A scenario injects one-shot faults and
 * moves a clock of its own, so it runs in a lab of its own built from the given lab's config and profiles (with
 * its clock and fetch): the flows in flight on the shared lab never see its faults, and it never sees theirs.
 * The run is runs.ts's scenarioWith, the one `--scenario` uses.
 */
import { recordEvents, teeEvents } from '../events.js';
import { scenarioCatalogue, type Scenario } from '../flows/scenarios/index.js';
import { resultOf, type FlowRunResult, type RunOptions } from './flows.js';
import { internalLab, type CodestreamLab } from './lab.js';
import { envOf, scenarioSourceOf, scenarioWith } from './runs.js';

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
  const env = envOf(internalLab(handle), options.env);
  const { onEvent, events } = recordEvents();
  const sink = options.onEvent ? teeEvents(onEvent, options.onEvent) : onEvent;
  const run = await scenarioWith(scenarioSourceOf(handle), name, { ...options, env, onEvent: sink });
  if (run.outcome === undefined) {
    return {
      ok: false,
      failedStep: undefined,
      error: undefined,
      events,
      result: {},
      ms: 0,
      scenario: run.scenario,
      skipped: run.skipped,
    };
  }
  // The scenario passes when the system behaved as expected, which may be a failed flow (consent denied).
  return { ...resultOf(run.outcome, events), ok: run.ok, scenario: run.scenario, skipped: run.skipped };
}

/**
 * What the flow commands share beyond their own flags: `--scenario <name>` (run with a failure
 * scenario, pass when the system behaves as it expects) and the report files `--har` and `--diagram`.
 */
import type { Deps } from '../../deps.js';
import { AppError, UsageError } from '../../errors.js';
import { teeEvents, type EventSink } from '../../events.js';
import type { FlowDeps } from '../../flows/connect/run.js';
import type { FlowOutcome } from '../../flows/engine/runner.js';
import type { FlowKind, Scenario } from '../../flows/scenarios/index.js';
import { defined } from '../../util/defined.js';
import type { SecretRegistry } from '../../util/secrets.js';
import { scenarioViaApi } from './lab-runs.js';
import { prepareOutputPaths } from './output-paths.js';
import { createReportFiles, type ReportFlags } from './report-files.js';
import { outputLevel, type OutputFlags } from './shared.js';

/** The flags flow-extras reads. */
export interface FlowExtrasFlags extends ReportFlags, OutputFlags {
  scenario?: string;
}

/** The options, as [flags, description] pairs for commander's option(). */
export const scenarioOption = (flow: FlowKind) =>
  [
    '--scenario <name>',
    'inject a failure scenario and pass when the system behaves as it expects ' +
      `(list: codestream-auth scenarios --flow ${flow})`,
  ] as const;
export const harOption = [
  '--har <file>',
  'write the browser hops with timings as HAR 1.2 (secrets shortened unless --show-secrets)',
] as const;
export const diagramOption = [
  '--diagram <file>',
  'write a Mermaid sequence diagram of the run (webview, agent, browser, CS API, router, provider, broadcaster)',
] as const;

/** What a flow command gets from its shared flags. */
export interface FlowExtras {
  /** The renderer's sink plus the report recorder: pass it as the flow's onEvent. */
  onEvent: EventSink;
  scenario: Scenario | undefined;
  /** Refuses flags that cannot go with --scenario (it runs its own headless lab). */
  refuseWithScenario(conflicts: Record<string, boolean>): void;
  runScenario(provider: string, env: string | undefined, deps: FlowDeps): Promise<{ outcome: FlowOutcome }>;
  /** Writes the report files and says where; call once the run is over. */
  finish(): Promise<void>;
}

/** What a command with --har and --diagram but no scenarios (disconnect, interact) gets from them. */
export interface ReportExtras {
  /** The renderer's sink plus the report recorder: pass it as the flow's onEvent. */
  onEvent: EventSink;
  /** Writes the report files and says where; call once the run is over. */
  finish(): Promise<void>;
}

/** Reads --har and --diagram; a path that cannot be written is a usage error before any work. */
export async function createReportExtras(
  flags: ReportFlags,
  render: EventSink,
  secrets: SecretRegistry,
  deps: Deps,
): Promise<ReportExtras> {
  await prepareOutputPaths({ '--har': flags.har, '--diagram': flags.diagram });
  const reports = createReportFiles(flags, secrets);
  return {
    onEvent: teeEvents(render, reports.onEvent),
    async finish() {
      for (const path of await reports.write()) deps.io.stderr.write(`wrote ${path}\n`);
    },
  };
}

/** Reads --scenario, --har and --diagram; an unknown or mismatched scenario is a usage error. */
export async function createFlowExtras(
  flags: FlowExtrasFlags,
  flow: FlowKind,
  render: EventSink,
  secrets: SecretRegistry,
  deps: Deps,
): Promise<FlowExtras> {
  // The catalogue (and every flow a scenario can run) loads only for --scenario: a plain run never needs it.
  const scenarios = flags.scenario === undefined ? undefined : await import('../../flows/scenarios/index.js');
  const scenario =
    scenarios === undefined || flags.scenario === undefined
      ? undefined
      : scenarios.findScenario(scenarios.scenarioCatalogue, flags.scenario);
  if (scenario && scenario.flow !== flow) {
    throw new UsageError(`scenario "${scenario.name}" is a ${scenario.flow} scenario`, {
      hint: `Run "codestream-auth ${scenario.flow} <provider> --scenario ${scenario.name}".`,
    });
  }
  const reports = await createReportExtras(flags, render, secrets, deps);
  return {
    ...reports,
    scenario,
    refuseWithScenario(conflicts) {
      const clash = Object.entries(conflicts).find(([, on]) => on)?.[0];
      if (scenario && clash) throw new UsageError(`--scenario runs its own headless lab; leave out ${clash}`);
    },
    async runScenario(provider, env, flowDeps) {
      if (scenario === undefined || scenarios === undefined)
        throw new AppError('UNEXPECTED', 'runScenario called without --scenario (a bug)');
      // -v shows this as the first step's note; the default view hides notes, so say what the run is about here.
      if (!flags.json && outputLevel(flags) === 'normal')
        deps.io.stderr.write(
          secrets.redact(`scenario ${scenario.name}: injects ${scenario.injects}; expects ${scenario.observes}\n`),
        );
      // Through the library: a scenario runs in a lab of its own (its faults and clock are that lab's).
      const result = await scenarioViaApi(scenario, { provider, ...defined({ env }) }, flowDeps);
      if (result.skipped !== undefined || result.outcome === undefined) {
        const why = result.skipped ?? 'it did not run';
        throw new UsageError(`scenario "${scenario.name}" cannot run with provider "${provider}": ${why}`);
      }
      return { outcome: result.outcome };
    },
  };
}

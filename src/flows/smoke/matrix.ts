/**
 * The smoke matrix: every provider × flow × environment, plus every scenario, one result per cell.
 * Each cell runs in a lab of its own (about 6 ms to start), so cells never share state and run
 * concurrently; the engine never prints: reporters turn the report into text.
 */
import type { ErrorInfo } from '../../errors.js';
import { UsageError, toErrorInfo } from '../../errors.js';
import { recordEvents, type FlowEvent } from '../../events.js';
import type { FlowDeps } from '../connect/run.js';
import type { FlowOutcome } from '../engine/runner.js';
import { defined } from '../../util/defined.js';
import {
  DEFAULT_SCENARIO_PROVIDER,
  isFlowKind,
  runScenario,
  type FlowKind,
  type Scenario,
  type ScenarioResult,
} from '../scenarios/index.js';
import { shardCells, type Shard } from './shard.js';

/** One cell of the matrix: a flow for a provider in an environment, or a scenario. */
export interface SmokeCell {
  /** Unique and stable: "connect/github/local", "scenario/consent-denied". */
  id: string;
  suite: FlowKind | 'scenarios';
  /** JUnit classname and name. */
  classname: string;
  name: string;
  flow: FlowKind;
  provider: string;
  env: string;
  scenario?: Scenario;
}

/** How a cell ended. */
export type CellStatus = 'passed' | 'failed' | 'skipped';

/** A cell's result, with the events of its run for reports. */
export interface CellResult {
  cell: SmokeCell;
  status: CellStatus;
  ms: number;
  failedStep?: string;
  stepTitle?: string;
  error?: ErrorInfo;
  /** The check that failed the step, when one did. */
  check?: { name: string; expected: string; actual: string };
  skipReason?: string;
  events: FlowEvent[];
}

/** Every cell's result and the counts. */
export interface SmokeReport {
  startedAt: number;
  ms: number;
  results: CellResult[];
  counts: { tests: number; passed: number; failed: number; skipped: number };
}

/** Runs one flow cell; resolves with the flow's outcome (events go to deps.onEvent). */
export type FlowCellRunner = (cell: { provider: string; env: string }, deps: FlowDeps) => Promise<FlowOutcome>;

/** A flow smoke can run for a provider. */
export interface SmokeFlow {
  run: FlowCellRunner;
  /** Which providers the flow applies to (sign-up: those that support it). */
  supports(provider: string, deps: Pick<FlowDeps, 'profiles' | 'config'>): boolean;
}

/** Which cells to run and how. */
export interface SmokeOptions {
  providers?: readonly string[];
  flows?: readonly FlowKind[];
  envs?: readonly string[];
  /** "all" (default), "none", or scenario names. */
  scenarios?: 'all' | 'none' | readonly string[];
  concurrency?: number;
  /** A cell that has not finished by then fails (default 15 s). */
  cellTimeoutMs?: number;
  /** Run only this slice of the planned cells (`--shard i/n`). */
  shard?: Shard;
}

/** Lab data, the flows and the scenario catalogue smoke runs with. */
export interface SmokeDeps extends Omit<FlowDeps, 'onEvent'> {
  flows: Partial<Record<FlowKind, SmokeFlow>>;
  catalogue: readonly Scenario[];
  /** Runs a scenario cell (default: runScenario; the command's goes through the library). */
  runScenario?: (
    scenario: Scenario,
    opts: { provider: string; env: string },
    deps: FlowDeps,
  ) => Promise<ScenarioResult>;
  /** Called as each cell finishes, for progress lines. */
  onResult?: (result: CellResult) => void;
}

/** Cells in flight at once by default. */
export const DEFAULT_CONCURRENCY = 8;

/** The cells the options select; unknown names are usage errors that list the known ones. */
export function planSmoke(opts: SmokeOptions, deps: SmokeDeps): SmokeCell[] {
  const known = [...deps.profiles.keys()];
  const providers = checkNames('--providers', opts.providers, known, known);
  const allFlows = Object.keys(deps.flows).filter(isFlowKind);
  const flows = checkNames('--flows', opts.flows, allFlows, allFlows);
  const envNames = deps.config.environments.map((e) => e.name);
  const defaultEnvs = [
    deps.config.defaultEnvironment,
    ...envNames.filter((n) => n !== deps.config.defaultEnvironment),
  ].slice(0, 2);
  const envs = checkNames('--envs', opts.envs, envNames, defaultEnvs);
  const names = deps.catalogue.map((s) => s.name);
  const picked =
    opts.scenarios === undefined || opts.scenarios === 'all'
      ? names
      : opts.scenarios === 'none'
        ? []
        : checkNames('--scenarios', opts.scenarios, names, names);

  const cells: SmokeCell[] = [];
  for (const flow of flows) {
    for (const provider of providers) {
      if (!deps.flows[flow]?.supports(provider, deps)) continue;
      for (const env of envs) {
        cells.push({
          id: `${flow}/${provider}/${env}`,
          suite: flow,
          classname: `smoke.${flow}.${provider}`,
          name: env,
          flow,
          provider,
          env,
        });
      }
    }
  }
  for (const scenario of deps.catalogue.filter((s) => picked.includes(s.name))) {
    const provider = scenario.provider ?? DEFAULT_SCENARIO_PROVIDER;
    const env = deps.config.defaultEnvironment;
    cells.push({
      id: `scenario/${scenario.name}`,
      suite: 'scenarios',
      classname: `smoke.scenarios.${scenario.flow}`,
      name: scenario.name,
      flow: scenario.flow,
      provider,
      env,
      scenario,
    });
  }
  // A matrix of nothing would pass in CI and test nothing: say so instead.
  if (cells.length === 0) {
    throw new UsageError('the options select no cell to run', {
      hint: 'The flows chosen may not apply to the providers chosen (sign-up needs a provider with sign-in); run "codestream-auth providers" to see which flows each supports.',
    });
  }
  return cells;
}

/** The cells a run executes: the plan, cut to the shard when one is given (a shard may be empty). */
export function selectCells(opts: SmokeOptions, deps: SmokeDeps): SmokeCell[] {
  return shardCells(planSmoke(opts, deps), opts.shard);
}

/** Runs the cells `concurrency` at a time; never throws for a failing cell. */
export async function runSmoke(opts: SmokeOptions, deps: SmokeDeps): Promise<SmokeReport> {
  const cells = selectCells(opts, deps);
  const startedAt = deps.now();
  const results = await inPool(cells, Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY), async (cell) => {
    const result = await runCell(cell, deps, opts.cellTimeoutMs ?? 15_000);
    deps.onResult?.(result);
    return result;
  });
  const count = (s: CellStatus) => results.filter((r) => r.status === s).length;
  return {
    startedAt,
    ms: deps.now() - startedAt,
    results,
    counts: { tests: results.length, passed: count('passed'), failed: count('failed'), skipped: count('skipped') },
  };
}

async function runCell(cell: SmokeCell, deps: SmokeDeps, timeoutMs: number): Promise<CellResult> {
  const { onEvent, events } = recordEvents();
  const signal = deps.signal
    ? AbortSignal.any([deps.signal, AbortSignal.timeout(timeoutMs)])
    : AbortSignal.timeout(timeoutMs);
  const flowDeps: FlowDeps = {
    config: deps.config,
    profiles: deps.profiles,
    fetch: deps.fetch,
    now: deps.now,
    secrets: deps.secrets,
    onEvent,
    signal,
  };
  const began = deps.now();
  const finish = (status: CellStatus, extra: Partial<CellResult> = {}): CellResult => {
    // A cell cut short by Ctrl-C did not fail: it was not (fully) run.
    if (deps.signal?.aborted && status === 'failed')
      return { cell, status: 'skipped', ms: deps.now() - began, events, skipReason: 'interrupted' };
    return { cell, status, ms: deps.now() - began, events, ...extra };
  };
  if (deps.signal?.aborted) return finish('skipped', { skipReason: 'interrupted' });
  try {
    if (cell.scenario) {
      const run = deps.runScenario ?? runScenario;
      const result = await run(cell.scenario, { provider: cell.provider, env: cell.env }, flowDeps);
      if (result.skipped !== undefined) return finish('skipped', { skipReason: result.skipped });
      return fromOutcome(result.outcome, events, finish);
    }
    const flow = deps.flows[cell.flow];
    if (!flow) return finish('skipped', { skipReason: `the ${cell.flow} flow is not available` });
    return fromOutcome(await flow.run({ provider: cell.provider, env: cell.env }, flowDeps), events, finish);
  } catch (err) {
    // A lab that would not start, or a bug: the cell fails with the error, the others go on.
    return finish('failed', { failedStep: 'setup', error: toErrorInfo(err) });
  }
}

function fromOutcome(
  outcome: FlowOutcome | undefined,
  events: FlowEvent[],
  finish: (s: CellStatus, extra?: Partial<CellResult>) => CellResult,
): CellResult {
  if (outcome === undefined) return finish('failed', { failedStep: 'setup' });
  if (outcome.ok) return finish('passed');
  const step = outcome.failedStep ?? '?';
  const title = events.find(
    (e): e is Extract<FlowEvent, { type: 'step-started' }> => e.type === 'step-started' && e.step === step,
  )?.title;
  const failed = events
    .filter((e): e is Extract<FlowEvent, { type: 'check-failed' }> => e.type === 'check-failed' && e.step === step)
    .at(-1);
  return finish('failed', {
    failedStep: step,
    ...defined({ stepTitle: title }),
    ...(outcome.error === undefined ? {} : { error: toErrorInfo(outcome.error) }),
    ...(failed === undefined
      ? {}
      : { check: { name: failed.check, expected: failed.expected, actual: failed.actual } }),
  });
}

function checkNames<T extends string>(
  flag: string,
  given: readonly string[] | undefined,
  known: readonly T[],
  fallback: readonly T[],
): T[] {
  if (given === undefined) return [...fallback];
  const isKnown = (name: string): name is T => known.some((k) => k === name);
  const unknown = given.filter((g) => !isKnown(g));
  if (unknown.length > 0) {
    throw new UsageError(`${flag}: unknown ${unknown.map((u) => `"${u}"`).join(', ')}`, {
      hint: `Known: ${known.join(', ')}.`,
    });
  }
  return [...new Set(given.filter(isKnown))];
}

/** Maps with at most `size` promises in flight, keeping the input order in the result. */
async function inPool<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item when it is free.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [i, item] of queue) out[i] = await fn(item);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

/**
 * `codestream-auth smoke`: the whole matrix for CI. Progress lines go to stderr; the report (JSON,
 * JUnit or Markdown) to stdout or --out; --summary appends Markdown (for $GITHUB_STEP_SUMMARY). Every cell runs
 * in a lab of its own started through the library (support/lab-runs.ts).
 */
import { appendFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { AppError, UsageError } from '../errors.js';
import { scenarioCatalogue } from '../flows/scenarios/index.js';
import { defaultSmokeFlows, scenarioViaApi } from './support/lab-runs.js';
import { parseShard } from '../flows/smoke/shard.js';
import {
  runSmoke,
  selectCells,
  DEFAULT_CONCURRENCY,
  type SmokeDeps,
  type SmokeOptions,
  type SmokeReport,
} from '../flows/smoke/matrix.js';
import type { FlowKind } from '../flows/scenarios/index.js';
import { renderJunit } from '../render/junit.js';
import { renderMarkdown } from '../render/markdown.js';
import { cellLine, smokeJson, summaryLine } from '../render/smoke.js';
import { defined } from '../util/defined.js';
import type { SecretRegistry } from '../util/secrets.js';
import { prepareOutputPaths } from './support/output-paths.js';
import { writeReport } from './support/report-files.js';
import { assertKnownProvider, choice, createSecrets, loadLabData } from './support/shared.js';

interface SmokeFlags {
  providers?: string;
  flows?: string;
  envs?: string;
  scenarios?: string;
  reporter?: string;
  out?: string;
  summary?: string;
  concurrency?: string;
  shard?: string;
  list?: boolean;
  showSecrets?: boolean;
}

const REPORTERS = ['pretty', 'json', 'junit', 'markdown'] as const;
type Reporter = (typeof REPORTERS)[number];

/** Flags → engine options; every list is comma-separated. */
export function parseSmokeFlags(flags: SmokeFlags): SmokeOptions {
  const list = (value: string | undefined) =>
    value
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const providers = list(flags.providers);
  const flows = list(flags.flows);
  const envs = list(flags.envs);
  const scenarios =
    flags.scenarios === undefined || flags.scenarios === 'all'
      ? 'all'
      : flags.scenarios === 'none'
        ? 'none'
        : (list(flags.scenarios) ?? []);
  let concurrency = DEFAULT_CONCURRENCY;
  if (flags.concurrency !== undefined) {
    concurrency = Number(flags.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
      throw new UsageError(`--concurrency must be a whole number from 1 to 64, not "${flags.concurrency}"`);
    }
  }
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  return {
    ...defined({ shard }),
    // The flow names are unchecked here: planSmoke checks them against the flows it runs and lists those.
    ...defined({ providers, flows: flows as FlowKind[] | undefined, envs }),
    scenarios,
    concurrency,
  };
}

/** The report in the reporter's format (pretty has none: its lines went to stderr). */
export function formatReport(report: SmokeReport, reporter: Reporter, secrets: SecretRegistry): string | undefined {
  switch (reporter) {
    case 'json':
      return smokeJson(report, secrets.redactDeep);
    case 'junit':
      return renderJunit(report, { redact: secrets.redact });
    case 'markdown':
      return renderMarkdown(report, { redact: secrets.redact });
    case 'pretty':
      return undefined;
  }
}

/** Runs the matrix and writes the reports; returns the exit code (1 when any cell failed). */
export async function runSmokeCommand(
  flags: SmokeFlags,
  deps: Deps,
  engine: Partial<Pick<SmokeDeps, 'flows' | 'catalogue'>> = {},
): Promise<number> {
  const reporter = choice('--reporter', flags.reporter, REPORTERS, 'pretty');
  const options = parseSmokeFlags(flags);
  // An empty --summary is what "$GITHUB_STEP_SUMMARY" gives outside GitHub Actions: nothing to append to.
  const summary = flags.summary === '' ? undefined : flags.summary;
  if (flags.summary === '')
    deps.io.stderr.write('note: --summary is empty (is $GITHUB_STEP_SUMMARY unset?); no summary is written\n');
  await prepareOutputPaths({ '--out': flags.out, '--summary': summary });
  const data = await loadLabData();
  // Provider ids as the profiles spell them ("GitHub" is github); a typo gets the nearest id suggested.
  if (options.providers !== undefined)
    options.providers = options.providers.map((id) => assertKnownProvider(id, data).id);
  const engineDeps = {
    ...data,
    fetch: deps.fetch,
    now: deps.now,
    signal: deps.signal,
    flows: engine.flows ?? defaultSmokeFlows(),
    catalogue: engine.catalogue ?? scenarioCatalogue,
    runScenario: scenarioViaApi,
  };
  if (flags.list) {
    // The cells (of the shard) one id a line, without running them: what a CI matrix job would run.
    for (const cell of selectCells(options, { ...engineDeps, secrets: createSecrets(flags, data.config) }))
      deps.io.stdout.write(`${cell.id}\n`);
    return 0;
  }
  const secrets = createSecrets(flags, data.config);
  const line = (text: string) => void deps.io.stderr.write(`${text}\n`);
  const report = await runSmoke(options, {
    ...engineDeps,
    secrets,
    onResult: (r) => line(cellLine(r, secrets.redact)),
  });
  line(summaryLine(report));
  const text = formatReport(report, reporter, secrets);
  if (text !== undefined) {
    if (flags.out === undefined) deps.io.stdout.write(text);
    else {
      await writeReport(flags.out, text);
      line(`wrote ${reporter} report to ${flags.out}`);
    }
  }
  if (summary !== undefined) {
    try {
      await appendFile(summary, renderMarkdown(report, { redact: secrets.redact }), 'utf8');
    } catch (cause) {
      throw new AppError('UNEXPECTED', `cannot append the summary to "${summary}"`, { cause });
    }
  }
  for (const failed of report.results.filter((r) => r.status === 'failed')) line(`failed: ${failed.cell.id}`);
  const interrupted = report.results.filter((r) => r.skipReason === 'interrupted').length;
  if (interrupted > 0) line(`interrupted: ${interrupted} cell${interrupted === 1 ? '' : 's'} did not run to the end`);
  return report.counts.failed > 0 ? 1 : 0;
}

/** Registers `smoke`. */
export function registerSmoke(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('smoke')
    .description(
      'run every provider × flow × environment and every failure scenario; exit 1 if any cell fails (for CI)',
    )
    .option('--providers <list>', 'comma-separated provider ids (default: every profile in fixtures/providers)')
    .option('--flows <list>', 'comma-separated flows: connect, signup (default: all, where the provider supports them)')
    .option('--envs <list>', "comma-separated environments (default: the lab's default and the next one)")
    .option('--scenarios <list>', 'all, none, or comma-separated scenario names', 'all')
    .option('--reporter <name>', `report format: ${REPORTERS.join(', ')}`, 'pretty')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .option('--summary <file>', 'append a Markdown summary with diagrams of failed flows (e.g. "$GITHUB_STEP_SUMMARY")')
    .option('--concurrency <n>', `cells run at once (default ${DEFAULT_CONCURRENCY})`)
    .option('--shard <i/n>', 'run only slice i of n of the cells (for a CI matrix of n jobs)')
    .option('--list', 'print the ids of the cells (of the shard) without running them')
    .option('--show-secrets', 'print tokens and JWTs in full')
    .action(async (flags: SmokeFlags) => {
      setExit(await runSmokeCommand(flags, deps));
    });
}

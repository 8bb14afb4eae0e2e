/** `codestream-auth load <connect|signup>`: many flows in flight on one lab, their speed and their isolation. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { loadViaApi } from './support/lab-runs.js';
import { progressWriter, renderLoadSummary } from '../render/load.js';
import { assertKnownProvider, choice, loadLabData, parseEnvList } from './support/shared.js';
import { labEnvironments } from '../lab/envs.js';

interface LoadFlags {
  flows: string;
  concurrency: string;
  providers: string;
  envs?: string;
  interval: string;
  json?: boolean;
}

function positive(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

export function registerLoad(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('load')
    .description(
      'run many connect or sign-up flows at once on one lab: throughput, latency per step, and whether every token reached its own user',
    )
    .argument('<flow>', 'connect or signup')
    .option('--flows <n>', 'how many flows to run', '200')
    .option('--concurrency <c>', 'how many flows are in flight at once', '32')
    .option('--providers <list>', 'comma-separated providers the flows take turns with', 'github')
    .option(
      '--envs <list>',
      'comma-separated environments the flows take turns with (default: all in fixtures/lab.json)',
    )
    .option('--interval <ms>', 'sign-up: milliseconds between check-signup polls', '0')
    .option('--json', 'print one JSON object on stdout when done, nothing before')
    .action(async (flowArg: string, flags: LoadFlags) => {
      const flow = choice('<flow>', flowArg, ['connect', 'signup'] as const, 'connect');
      const flows = positive('--flows', flags.flows, 1);
      const concurrency = positive('--concurrency', flags.concurrency, 1);
      const intervalMs = positive('--interval', flags.interval, 0);
      const data = await loadLabData();
      const providers = flags.providers
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '')
        .map((p) =>
          flow === 'signup'
            ? assertKnownProvider(p, data, (x) => x.supportsSignup && x.identity !== undefined, 'sign-in').id
            : assertKnownProvider(p, data).id,
        );
      if (providers.length === 0) throw new UsageError('--providers names no provider');
      const asked = parseEnvList(flags.envs);
      const envs = labEnvironments(data.config, asked?.[0] ?? data.config.defaultEnvironment, asked);
      const progress = flags.json ? undefined : progressWriter(deps.io.stderr, flows, deps.io.isTTY);
      const result = await loadViaApi(
        {
          flow,
          flows,
          concurrency,
          providers,
          envs,
          intervalMs,
          ...(progress ? { onProgress: (done: number, failed: number) => progress.update(done, failed) } : {}),
        },
        {
          ...data,
          fetch: deps.fetch,
          now: deps.now,
          onEvent: () => undefined,
          secrets: { add: () => undefined },
          signal: deps.signal,
        },
      );
      progress?.end();
      deps.io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : renderLoadSummary(result));
      setExit(result.ok ? 0 : 1);
    });
}

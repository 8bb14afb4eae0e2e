/** `codestream-auth interact slack|msteams`: a provider-initiated call through the VPN proxy, hop by hop. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { interactWith } from '../api/runs.js';
import { cliLabOptions, inLab } from './support/lab-runs.js';
import { INTERACTIVE_PROVIDERS, TAMPERS, type Tamper } from '../agent-sim/provider-calls.js';
import { choice, createOutput, loadLabData, parseEnvList, quietOption, verboseOption } from './support/shared.js';
import { createReportExtras, diagramOption, harOption } from './support/flow-extras.js';
import type { ReportFlags } from './support/report-files.js';
import { defined } from '../util/defined.js';

interface InteractFlags extends ReportFlags {
  env?: string;
  envs?: string;
  tamper?: string;
  proxyHost?: string;
  json?: boolean;
  showSecrets?: boolean;
}

/** Registers `interact <slack|msteams>`. */
export function registerInteract(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('interact')
    .description(
      'send a Slack interactive-components call or an MS Teams bot activity through the VPN proxy to one environment and check every hop',
    )
    .argument('<provider>', `the calling provider: ${INTERACTIVE_PROVIDERS.join(' or ')}`)
    .option('--env <name>', 'environment that owns the app (default: the lab\'s default, "local")')
    .option(
      '--envs <list>',
      'comma-separated environments to start besides --env, e.g. pd,qa,local-10-1-2-3 (default: all in fixtures/lab.json)',
    )
    .option('--tamper <what>', `spoil the call and expect its refusal: ${TAMPERS.join(', ')}`)
    .option(
      '--proxy-host <where>',
      "same (the proxy answers on the router's host, the seed today) or separate (its own origin)",
      'same',
    )
    .option('--json', 'print NDJSON events on stdout')
    .option('--show-secrets', 'print signing secrets, tokens and JWTs in full')
    .option(...verboseOption)
    .option(...quietOption)
    .option(...harOption)
    .option(...diagramOption)
    .action(async (providerArg: string, flags: InteractFlags) => {
      const provider = choice('<provider>', providerArg, INTERACTIVE_PROVIDERS, 'slack');
      const tamper: Tamper | undefined =
        flags.tamper === undefined ? undefined : choice('--tamper', flags.tamper, TAMPERS, 'signature');
      const proxyHost = choice('--proxy-host', flags.proxyHost, ['same', 'separate'] as const, 'same');
      const envs = parseEnvList(flags.envs);
      const data = await loadLabData();
      const { renderer, secrets } = await createOutput(flags, deps, data);
      const reports = await createReportExtras(flags, renderer.onEvent, secrets, deps);
      try {
        // The environments asked and the VPN proxy, started through the library; a provider-initiated call needs
        // no mock OAuth provider.
        const labOptions = {
          ...cliLabOptions({ ...data, fetch: deps.fetch, now: deps.now }, flags.env, { provider, envs }, { proxyHost }),
          providers: [],
        };
        const { outcome } = await inLab(labOptions, (lab) =>
          interactWith(
            lab,
            { provider, onEvent: reports.onEvent, ...defined({ env: flags.env, tamper, signal: deps.signal }) },
            { secrets },
          ),
        );
        setExit(outcome.ok ? 0 : 1);
      } finally {
        renderer.close();
        await reports.finish();
      }
    });
}

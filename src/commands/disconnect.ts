/** `codestream-auth disconnect <provider>`: connect, then PUT /provider-deauth and the token's removal everywhere. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { refuseWithApiUrl, remoteApiOptions, runRemoteCommand, type RemoteFlags } from './remote.js';
import { UsageError } from '../errors.js';
import { disconnectWith } from '../api/runs.js';
import { cliLabOptions, inLab } from './support/lab-runs.js';
import {
  assertHost,
  assertKnownProvider,
  createOutput,
  loadLabData,
  parseEnvList,
  quietOption,
  verboseOption,
} from './support/shared.js';
import { createReportExtras, diagramOption, harOption } from './support/flow-extras.js';
import type { ReportFlags } from './support/report-files.js';
import { defined } from '../util/defined.js';

interface DisconnectFlags extends RemoteFlags, ReportFlags {
  env?: string;
  envs?: string;
  host?: string;
  withoutHost?: boolean;
  json?: boolean;
  showSecrets?: boolean;
}

export function registerDisconnect(program: Command, deps: Deps, setExit: (code: number) => void): void {
  remoteApiOptions(program.command('disconnect'), true)
    .description(
      'connect a provider, then disconnect it through PUT /provider-deauth and check the token is gone from the store, the me-channel and the agent',
    )
    .argument('<provider>', 'provider id, e.g. github, slack (per workspace), github_enterprise (per host)')
    .option('--env <name>', 'environment to run in (default: the lab\'s default, "local")')
    .option(
      '--envs <list>',
      'comma-separated environments to start besides --env (default: all in fixtures/lab.json); the others must see nothing',
    )
    .option(
      '--host <url>',
      "enterprise host to connect and disconnect, e.g. https://git.example.com; default: the team's first registered host",
    )
    .option(
      '--without-host',
      'enterprise providers: send the deauth without a host, as failure mode 39 (only the .accessToken keys are unset, the host entry keeps its token)',
    )
    .option('--json', 'print NDJSON events on stdout')
    .option('--show-secrets', 'print tokens and JWTs in full')
    .option(...verboseOption)
    .option(...quietOption)
    .option(...harOption)
    .option(...diagramOption)
    .action(async (providerArg: string, flags: DisconnectFlags) => {
      const data = await loadLabData();
      const profile = assertKnownProvider(providerArg, data);
      const provider = profile.id;
      assertHost(flags.host, profile, data.config);
      if (flags.apiUrl !== undefined) {
        refuseWithApiUrl({ ...flags }, ['--env', '--envs', '--host', '--without-host']);
        setExit(await runRemoteCommand('disconnect', profile, flags, deps, data));
        return;
      }
      if (flags.withoutHost && !profile.enterprise)
        throw new UsageError(`--without-host needs an enterprise provider, not "${provider}"`, {
          hint: 'Run "codestream-auth providers" to see which providers are enterprise ones.',
        });
      const envs = parseEnvList(flags.envs);
      const { renderer, secrets } = await createOutput(flags, deps, data);
      const reports = await createReportExtras(flags, renderer.onEvent, secrets, deps);
      try {
        // The lab of this one provider (and the environments asked), started through the library.
        const labOptions = cliLabOptions({ ...data, fetch: deps.fetch, now: deps.now }, flags.env, { provider, envs });
        const { outcome } = await inLab(labOptions, (lab) =>
          disconnectWith(
            lab,
            {
              provider,
              withoutHost: flags.withoutHost === true,
              onEvent: reports.onEvent,
              ...defined({ env: flags.env, host: flags.host, signal: deps.signal }),
            },
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

/** `codestream-auth refresh <provider>`: connect, then GET /provider-refresh and the refreshed token's delivery. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { refuseWithApiUrl, remoteApiOptions, runRemoteCommand, type RemoteFlags } from './remote.js';
import { refreshWith } from '../api/runs.js';
import { cliLabOptions, inLab } from './support/lab-runs.js';
import { providerFromArgs } from '../profiles/custom.js';
import {
  createFlowExtras,
  diagramOption,
  harOption,
  scenarioOption,
  type FlowExtrasFlags,
} from './support/flow-extras.js';
import {
  assertHost,
  assertKnownProvider,
  createOutput,
  loadLabData,
  parseEnvList,
  quietOption,
  verboseOption,
  flowDepsOf,
} from './support/shared.js';
import { createStepMode } from './support/step-mode.js';
import type { RefreshContext } from '../flows/refresh/steps.js';
import { defined } from '../util/defined.js';

interface RefreshFlags extends RemoteFlags, FlowExtrasFlags {
  env?: string;
  envs?: string;
  host?: string;
  profile?: string;
  json?: boolean;
  showSecrets?: boolean;
  step?: boolean;
}

export function registerRefresh(program: Command, deps: Deps, setExit: (code: number) => void): void {
  remoteApiOptions(program.command('refresh'), true)
    .description(
      'connect a provider, then refresh its token through GET /provider-refresh and check the new token reaches the agent',
    )
    .argument(
      '[provider]',
      'a provider with refresh support, e.g. gitlab, bitbucket, jira, asana, azuredevops (leave out with --profile)',
    )
    .option('--env <name>', 'environment to run in (default: the lab\'s default, "local")')
    .option(
      '--envs <list>',
      'comma-separated environments to start besides --env (default: all in fixtures/lab.json); the others must see nothing',
    )
    .option('--host <url>', "enterprise host (gitlab_enterprise); default: the team's first registered host")
    .option('--profile <file>', 'a custom profile of a real OAuth 2.0 server with refresh support')
    .option('--json', 'print NDJSON events on stdout')
    .option('--show-secrets', 'print tokens and JWTs in full')
    .option(...verboseOption)
    .option(...quietOption)
    .option(
      '--step',
      "pause before each hop (the connect's, then the refresh call) and show the request about to be made; Enter continues, q quits",
    )
    .option(...scenarioOption('refresh'))
    .option(...harOption)
    .option(...diagramOption)
    .action(async (providerArg: string | undefined, flags: RefreshFlags) => {
      const data = await loadLabData();
      // A scenario decides which providers it applies to (refresh-unsupported is about those without refresh).
      const profile = assertKnownProvider(
        await providerFromArgs(providerArg, flags.profile, data, deps.env),
        data,
        flags.scenario === undefined ? (p) => p.supportsRefresh && p.token !== undefined : () => true,
        'refresh support',
      );
      const provider = profile.id;
      assertHost(flags.host, profile, data.config);
      if (flags.apiUrl !== undefined) {
        refuseWithApiUrl({ ...flags }, ['--env', '--envs', '--host', '--step', '--scenario']);
        setExit(await runRemoteCommand('refresh', profile, flags, deps, data));
        return;
      }
      const envs = parseEnvList(flags.envs);
      const { renderer, secrets } = await createOutput(flags, deps, data);
      const extras = await createFlowExtras(flags, 'refresh', renderer.onEvent, secrets, deps);
      extras.refuseWithScenario({
        '--profile': flags.profile !== undefined,
        '--host': flags.host !== undefined,
        '--step': flags.step === true,
      });
      const stepper = flags.step
        ? createStepMode<RefreshContext>(
            deps,
            secrets,
            (await import('../flows/engine/step-preview.js')).previewRefreshStep,
            'refresh gitlab',
          )
        : undefined;
      try {
        const flowDeps = flowDepsOf(data, deps, extras.onEvent, secrets);
        // Otherwise the lab of this one provider (and the environments asked), started through the library.
        const { outcome } = extras.scenario
          ? await extras.runScenario(provider, flags.env, flowDeps)
          : await inLab(cliLabOptions(flowDeps, flags.env, { provider, envs }), (lab) =>
              refreshWith(
                lab,
                {
                  provider,
                  onEvent: extras.onEvent,
                  ...defined({ env: flags.env, host: flags.host, signal: deps.signal }),
                },
                { secrets, ...defined({ beforeStep: stepper?.beforeStep }) },
              ),
            );
        // q at a --step prompt is the user stopping the run, like Ctrl-C.
        setExit(stepper?.quit ? 130 : outcome.ok ? 0 : 1);
      } finally {
        stepper?.close();
        renderer.close();
        await extras.finish();
      }
    });
}

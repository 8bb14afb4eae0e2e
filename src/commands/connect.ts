/** `codestream-auth connect <provider>`: the "Connect to X" handshake, hop by hop. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { refuseWithApiUrl, remoteApiOptions, runRemoteCommand, type RemoteFlags } from './remote.js';
import { MISCONFIGS, runMisconfig } from '../flows/misconfig/steps.js';
import { UsageError } from '../errors.js';
import { connectBrowserWith, connectWith } from '../api/runs.js';
import { cliLabOptions, inLab } from './support/lab-runs.js';
import {
  createFlowExtras,
  diagramOption,
  harOption,
  scenarioOption,
  type FlowExtrasFlags,
} from './support/flow-extras.js';
import { browserOpener, createStepMode, parseSeconds } from './support/step-mode.js';
import {
  assertHost,
  assertKnownProvider,
  choice,
  createOutput,
  loadLabData,
  parseEnvList,
  quietOption,
  verboseOption,
  flowDepsOf,
} from './support/shared.js';
import { providerFromArgs } from '../profiles/custom.js';
import { defined } from '../util/defined.js';

interface ConnectFlags extends RemoteFlags, FlowExtrasFlags {
  env?: string;
  envs?: string;
  routerMode?: string;
  misconfig?: string;
  entry?: string;
  successPage?: string;
  json?: boolean;
  showSecrets?: boolean;
  browser?: boolean;
  timeout: string;
  step?: boolean;
  host?: string;
  profile?: string;
}

export function registerConnect(program: Command, deps: Deps, setExit: (code: number) => void): void {
  remoteApiOptions(program.command('connect'), false)
    .description('connect a provider as a logged-in user and check every hop (the seed\'s "Connect to X")')
    .argument('[provider]', 'provider id, e.g. github (leave out with --profile)')
    .option('--env <name>', 'environment to connect in (default: the lab\'s default, "local")')
    .option(
      '--host <url>',
      "enterprise host sent as host=, e.g. https://git.example.com; it must be registered for the team (else PRVD-1003); default: the team's first registered host",
    )
    .option(
      '--profile <file>',
      'a custom profile of a real or self-hosted OAuth 2.0 server (absolute URLs, client id, secret from the env variable it names); no mock runs for it',
    )
    .option(
      '--envs <list>',
      'comma-separated environments to start besides --env, e.g. pd,qa,local-10-1-2-3 (default: all in fixtures/lab.json); the others must see nothing',
    )
    .option(
      '--router-mode <mode>',
      "how the auth-origin router delivers the callback: redirect (302, the seed's nginx) or proxy",
      'redirect',
    )
    .option(
      '--misconfig <name>',
      `run with a misconfiguration and pass when it fails exactly as expected: ${MISCONFIGS.join(', ')}`,
    )
    .option(
      '--entry <entry>',
      'start route: web (/web/provider-auth, the seed) or no-auth (/no-auth/provider-auth, the current client)',
      'web',
    )
    .option(
      '--success-page <page>',
      'marketing (/auth-complete, the seed) or api (/web/provider-connected)',
      'marketing',
    )
    .option('--json', 'print NDJSON events on stdout')
    .option('--show-secrets', 'print tokens and JWTs in full')
    .option(...verboseOption)
    .option(...quietOption)
    .option(
      '--browser',
      'open the start URL in your own browser (BROWSER is respected) and wait for you to approve or deny',
    )
    .option('--timeout <seconds>', 'with --browser: how long to wait for the browser to come back', '600')
    .option('--step', 'pause before each hop and show the request about to be made; Enter continues, q quits')
    .option(...scenarioOption('connect'))
    .option(...harOption)
    .option(...diagramOption)
    .action(async (providerArg: string | undefined, flags: ConnectFlags) => {
      const data = await loadLabData();
      const providerArgOrId = await providerFromArgs(providerArg, flags.profile, data, deps.env);
      const profile = assertKnownProvider(providerArgOrId, data);
      const provider = profile.id;
      assertHost(flags.host, profile, data.config);
      if (flags.apiUrl !== undefined) {
        refuseWithApiUrl({ ...flags }, [
          '--env',
          '--envs',
          '--host',
          '--misconfig',
          '--browser',
          '--step',
          '--scenario',
        ]);
        setExit(await runRemoteCommand('connect', profile, flags, deps, data));
        return;
      }
      const entry = choice('--entry', flags.entry, ['web', 'no-auth'] as const, 'web');
      const successPage = choice('--success-page', flags.successPage, ['marketing', 'api'] as const, 'marketing');
      const callbackTimeoutMs = parseSeconds('--timeout', flags.timeout);
      const routerMode = choice('--router-mode', flags.routerMode, ['redirect', 'proxy'] as const, 'redirect');
      const misconfig =
        flags.misconfig === undefined ? undefined : choice('--misconfig', flags.misconfig, MISCONFIGS, MISCONFIGS[0]);
      if (misconfig !== undefined && flags.browser)
        throw new UsageError('--misconfig runs headless; leave out --browser');
      const envs = parseEnvList(flags.envs);
      const { renderer, secrets } = await createOutput(flags, deps, data);
      const extras = await createFlowExtras(flags, 'connect', renderer.onEvent, secrets, deps);
      extras.refuseWithScenario({
        '--browser': flags.browser === true,
        '--misconfig': misconfig !== undefined,
        '--step': flags.step === true,
      });
      // --step and --browser import their modules when given: a plain connect loads neither (issue 14).
      const stepper = flags.step
        ? createStepMode(
            deps,
            secrets,
            (await import('../flows/engine/step-preview.js')).previewConnectStep,
            'connect github',
          )
        : undefined;
      try {
        const flowDeps = flowDepsOf(data, deps, extras.onEvent, secrets);
        // The lab of this one provider (and the environments asked), started through the library.
        const lab = (consent?: 'page') =>
          cliLabOptions(flowDeps, flags.env, { provider, envs, routerMode, successPage }, defined({ consent }));
        const run = {
          provider,
          entry,
          onEvent: extras.onEvent,
          ...defined({ host: flags.host, env: flags.env, signal: deps.signal }),
        };
        const internals = { secrets, ...defined({ beforeStep: stepper?.beforeStep }) };
        const { outcome } = extras.scenario
          ? await extras.runScenario(provider, flags.env, flowDeps)
          : misconfig
            ? // A misconfigured lab (another lab config, a scenario clock) is no library lab: its own runner.
              await runMisconfig(
                {
                  provider,
                  entry,
                  successPage,
                  routerMode,
                  misconfig,
                  ...defined({ host: flags.host, envs, env: flags.env, beforeStep: stepper?.beforeStep }),
                },
                flowDeps,
              )
            : flags.browser
              ? await inLab(lab('page'), (l) =>
                  connectBrowserWith(l, { ...run, callbackTimeoutMs }, { ...internals, openUrl: browserOpener(deps) }),
                )
              : await inLab(lab(), (l) => connectWith(l, run, internals));
        // q at a --step prompt is the user stopping the run, like Ctrl-C.
        setExit(stepper?.quit ? 130 : outcome.ok ? 0 : 1);
      } finally {
        stepper?.close();
        renderer.close();
        await extras.finish();
      }
    });
}

/** `codestream-auth signup <provider>`: "Sign up with X", the anonymous browser leg and check-signup polling. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { refuseWithApiUrl, remoteApiOptions, runRemoteCommand, type RemoteFlags } from './remote.js';
import { UsageError } from '../errors.js';
import { waitForCheckSignup, type SignupRun } from '../flows/signup/run.js';
import { signupBrowserWith, signupWith } from '../api/runs.js';
import { cliLabOptions, inLab } from './support/lab-runs.js';
import {
  createFlowExtras,
  diagramOption,
  harOption,
  scenarioOption,
  type FlowExtrasFlags,
} from './support/flow-extras.js';
import { browserOpener, createStepMode } from './support/step-mode.js';
import type { SignupContext } from '../flows/signup/steps.js';
import {
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

interface SignupFlags extends RemoteFlags, FlowExtrasFlags {
  poll?: boolean;
  interval: string;
  timeout: string;
  /** false with --no-signup (commander's negated option). */
  signup: boolean;
  hostUrl?: string;
  deny?: boolean;
  email?: string;
  env?: string;
  envs?: string;
  successPage?: string;
  routerMode?: string;
  json?: boolean;
  showSecrets?: boolean;
  browser?: boolean;
  step?: boolean;
  profile?: string;
}

export function registerSignup(program: Command, deps: Deps, setExit: (code: number) => void): void {
  remoteApiOptions(program.command('signup'), false)
    .description('sign up or in with a provider as the IDE does and check every hop (the seed\'s "Sign up with X")')
    .argument('[provider]', 'a provider with sign-in: github, gitlab, bitbucket or okta (leave out with --profile)')
    .option(
      '--poll',
      'poll PUT /no-auth/check-signup as the agent until the login package; without it, print the signup token and the check-signup request to make by hand',
    )
    .option('--interval <ms>', 'milliseconds between polls (the webview: 5000)', '5000')
    .option(
      '--timeout <seconds>',
      'give up polling after this long (the webview: 300); without --poll, how long the lab waits for your check-signup (0: exit at once)',
      '300',
    )
    .option(
      '--no-signup',
      'sign in only (noSignup=1, as the webview outside its signup screen): nobody is created, no match is PRVD-1005',
    )
    .option(
      '--host-url <url>',
      "hostUrl of the start URL; okta defaults to the lab's mock Okta origin, which plays the org host",
    )
    .option('--deny', "the user clicks Deny at the provider's consent screen")
    .option(
      '--email <address>',
      'email of the provider account that signs in, e.g. dana@acme.example to match a CodeStream user',
    )
    .option('--env <name>', 'environment to sign up in (default: the lab\'s default, "local")')
    .option(
      '--profile <file>',
      'a custom profile of a real OAuth 2.0 server with sign-in (an identity block); no mock runs for it',
    )
    .option(
      '--envs <list>',
      'comma-separated environments to start besides --env, e.g. pd,qa,local-10-1-2-3 (default: all in fixtures/lab.json); the others must see nothing',
    )
    .option(
      '--success-page <page>',
      'marketing (/auth-complete, the seed) or api (/web/provider-connected)',
      'marketing',
    )
    .option(
      '--router-mode <mode>',
      "how the auth-origin router delivers the callback: redirect (302, the seed's nginx) or proxy",
      'redirect',
    )
    .option('--json', 'print NDJSON events on stdout')
    .option('--show-secrets', 'print tokens and JWTs in full')
    .option(...verboseOption)
    .option(...quietOption)
    .option(
      '--browser',
      'open the start URL in your own browser (BROWSER is respected), approve or deny there; polls as with --poll, --timeout is your time',
    )
    .option(
      '--step',
      'headless only: pause before each hop and show the request about to be made; Enter continues, q quits',
    )
    .option(...scenarioOption('signup'))
    .option(...harOption)
    .option(...diagramOption)
    .action(async (providerArg: string | undefined, flags: SignupFlags) => {
      const data = await loadLabData();
      const profile = assertKnownProvider(
        await providerFromArgs(providerArg, flags.profile, data, deps.env),
        data,
        (p) => p.supportsSignup && p.identity !== undefined,
        'sign-in (supportsSignup with an identity lookup)',
      );
      const provider = profile.id;
      if (flags.apiUrl !== undefined) {
        if (!flags.signup) throw new UsageError('--no-signup is not run with --api-url yet');
        refuseWithApiUrl({ ...flags }, [
          '--env',
          '--envs',
          '--host-url',
          '--deny',
          '--browser',
          '--step',
          '--scenario',
        ]);
        setExit(await runRemoteCommand('signup', profile, flags, deps, data));
        return;
      }
      const poll = flags.poll === true;
      const intervalMs = parseNumber('--interval', flags.interval, false, 'milliseconds, e.g. --interval 500');
      const timeoutMs = parseNumber('--timeout', flags.timeout, !poll, 'seconds, e.g. --timeout 60') * 1000;
      const successPage = choice('--success-page', flags.successPage, ['marketing', 'api'] as const, 'marketing');
      const routerMode = choice('--router-mode', flags.routerMode, ['redirect', 'proxy'] as const, 'redirect');
      if (flags.hostUrl !== undefined) assertUrl('--host-url', flags.hostUrl);
      const envs = parseEnvList(flags.envs);
      if (flags.browser && flags.deny)
        throw new UsageError('--deny is for headless runs; with --browser, click Deny yourself');
      if (flags.browser && flags.step) throw new UsageError('--step pauses the headless sign-up; leave out --browser');
      const { renderer, secrets } = await createOutput(flags, deps, data);
      const extras = await createFlowExtras(flags, 'signup', renderer.onEvent, secrets, deps);
      extras.refuseWithScenario({
        '--browser': flags.browser === true,
        '--deny': flags.deny === true,
        '--step': flags.step === true,
      });
      // --step imports its previews when given: a plain sign-up loads none of them (issue 14).
      const stepper = flags.step
        ? createStepMode<SignupContext>(
            deps,
            secrets,
            (await import('../flows/engine/step-preview.js')).previewSignupStep,
            'signup github --poll',
          )
        : undefined;
      const flowDeps = flowDepsOf(data, deps, extras.onEvent, secrets);
      try {
        if (extras.scenario) {
          const { outcome } = await extras.runScenario(provider, flags.env, flowDeps);
          return setExit(outcome.ok ? 0 : 1);
        }
        // The lab of this one provider (and the environments asked), started through the library.
        const lab = (consent?: 'page') =>
          cliLabOptions(flowDeps, flags.env, { provider, envs, routerMode, successPage }, defined({ consent }));
        const run = {
          provider,
          intervalMs,
          noSignup: !flags.signup,
          onEvent: extras.onEvent,
          ...defined({ env: flags.env, hostUrl: flags.hostUrl, signal: deps.signal }),
          ...(flags.email === undefined ? {} : { identity: { email: flags.email } }),
        };
        if (flags.browser) {
          const browserTimeoutMs = parseNumber('--timeout', flags.timeout, false, 'seconds, e.g. --timeout 60') * 1000;
          const { outcome } = await inLab(lab('page'), (l) =>
            signupBrowserWith(l, { ...run, timeoutMs: browserTimeoutMs }, { secrets, openUrl: browserOpener(deps) }),
          );
          return setExit(outcome.ok ? 0 : 1);
        }
        let handedOver = 'skipped' as HandOverEnd;
        const done = await inLab(lab(), async (l) => {
          const signup = await signupWith(
            l,
            { ...run, poll, timeoutMs, deny: flags.deny === true },
            { secrets, ...defined({ beforeStep: stepper?.beforeStep }) },
          );
          if (!poll) {
            // The steps are over: stop reading stdin while the lab waits for a hand-made check-signup.
            stepper?.close();
            handedOver = await handOver(signup, { deps, timeoutMs, json: flags.json === true });
          }
          return signup;
        });
        // q at a --step prompt is the user stopping the run, like Ctrl-C; nobody calling check-signup in time fails.
        setExit(stepper?.quit ? 130 : done.outcome.ok && handedOver !== 'timed-out' ? 0 : 1);
      } finally {
        stepper?.close();
        renderer.close();
        await extras.finish();
      }
    });
}

// Without --poll: the token and the exact request go to stdout (data), and the lab stays up for one answer.
type HandOverEnd = 'skipped' | 'checked' | 'timed-out' | 'interrupted';

async function handOver(run: SignupRun, opts: { deps: Deps; timeoutMs: number; json: boolean }): Promise<HandOverEnd> {
  if (!run.outcome.ok) return 'skipped';
  const { io } = opts.deps;
  if (!opts.json) io.stdout.write(`${run.checkSignup.body.token}\n${run.checkSignup.curl}\n`);
  if (opts.timeoutMs === 0) return 'skipped';
  io.stderr.write(`waiting up to ${opts.timeoutMs / 1000} s for one check-signup call; Ctrl-C to stop\n`);
  const ended = await waitForCheckSignup(run, {
    timeoutMs: opts.timeoutMs,
    now: opts.deps.now,
    signal: opts.deps.signal,
  });
  if (ended === 'checked') io.stderr.write('check-signup answered; the record is gone, closing the lab\n');
  if (ended === 'timed-out')
    io.stderr.write(
      `error: nobody called check-signup within ${opts.timeoutMs / 1000} s; closing the lab ` +
        '(pass --poll to have the agent poll, or --timeout 0 to exit without waiting)\n',
    );
  return ended === 'checked' || ended === 'timed-out' ? ended : 'interrupted';
}

function parseNumber(flag: string, value: string, allowZero: boolean, unit: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new UsageError(`${flag} must be a number ${allowZero ? 'of 0 or more' : 'above 0'}, not "${value}"`, {
      hint: `Pass ${unit}.`,
    });
  }
  return n;
}

function assertUrl(flag: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new UsageError(`${flag} must be an http(s) URL, not "${value}"`, {
      hint:
        `Pass an origin the lab serves, e.g. ${flag} http://127.0.0.1:<port> from "codestream-auth serve" ` +
        "(okta's default is the lab's mock Okta).",
    });
  }
}

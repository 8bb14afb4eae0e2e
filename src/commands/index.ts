/** Every subcommand, registered into the program by src/cli.ts. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';

/**
 * Attaches one subcommand. Actions report their outcome through `setExit` (0 ok, 1 failed) and throw
 * AppError/UsageError for the rest, so that exit codes stay decided in src/cli.ts alone.
 */
export type RegisterCommand = (program: Command, deps: Deps, setExit: (code: number) => void) => void;

/**
 * The subcommands by name, in the order `--help` lists them. Each module is imported only when its
 * command runs (or for help): loading every command's module graph would cost a connect about a
 * third of its run time.
 */
export const lazyCommands: ReadonlyArray<readonly [name: string, load: () => Promise<RegisterCommand>]> = [
  ['connect', async () => (await import('./connect.js')).registerConnect],
  ['signup', async () => (await import('./signup.js')).registerSignup],
  ['refresh', async () => (await import('./refresh.js')).registerRefresh],
  ['disconnect', async () => (await import('./disconnect.js')).registerDisconnect],
  ['interact', async () => (await import('./interact.js')).registerInteract],
  ['load', async () => (await import('./load.js')).registerLoad],
  ['serve', async () => (await import('./serve.js')).registerServe],
  ['smoke', async () => (await import('./smoke.js')).registerSmoke],
  ['scenarios', async () => (await import('./scenarios.js')).registerScenarios],
  ['providers', async () => (await import('./providers.js')).registerProviders],
  ['decode-state', async () => (await import('./decode-state.js')).registerDecodeState],
  ['init-profile', async () => (await import('./init-profile.js')).registerInitProfile],
];

/** Extra commands registered eagerly after the lazy ones (tests add stand-ins here). */
export const commands: RegisterCommand[] = [];

/**
 * What the program's own help lists for each command (its arguments and description), so `--help`, a typo or no
 * command at all registers these stand-ins instead of importing every command's module graph (issue 14:
 * `--help` ≤ 150 ms). test/cli/help.test.ts checks they match the real commands.
 */
export const COMMAND_SUMMARIES: Readonly<Record<string, { args?: string; description: string }>> = {
  connect: {
    args: '[provider]',
    description: 'connect a provider as a logged-in user and check every hop (the seed\'s "Connect to X")',
  },
  signup: {
    args: '[provider]',
    description: 'sign up or in with a provider as the IDE does and check every hop (the seed\'s "Sign up with X")',
  },
  refresh: {
    args: '[provider]',
    description:
      'connect a provider, then refresh its token through GET /provider-refresh and check the new token reaches the agent',
  },
  disconnect: {
    args: '<provider>',
    description:
      'connect a provider, then disconnect it through PUT /provider-deauth and check the token is gone from the store, the me-channel and the agent',
  },
  interact: {
    args: '<provider>',
    description:
      'send a Slack interactive-components call or an MS Teams bot activity through the VPN proxy to one environment and check every hop',
  },
  load: {
    args: '<flow>',
    description:
      'run many connect or sign-up flows at once on one lab: throughput, latency per step, and whether every token reached its own user',
  },
  serve: {
    description:
      'start the whole lab (every environment and provider) for your browser or IDE and keep it up until Ctrl-C',
  },
  smoke: {
    description:
      'run every provider × flow × environment and every failure scenario; exit 1 if any cell fails (for CI)',
  },
  scenarios: { description: 'list the failure scenarios: what each injects and what the system must do about it' },
  providers: { description: 'list every provider profile: the flows it supports, its exchange format and its quirks' },
  'decode-state': {
    args: '<state>',
    description: 'show what a state holds: environment, pauth claims, expiry, signature (with --secret) and host',
  },
  'init-profile': {
    args: '[file]',
    description: 'write a commented starting point for a custom profile (connect/signup/refresh --profile)',
  },
};

// A stand-in: the name, arguments and description the program's help lists; never run (argv names no command).
const standIns: RegisterCommand = (program) => {
  for (const [name] of lazyCommands) {
    const summary = COMMAND_SUMMARIES[name];
    const cmd = program.command(name).description(summary?.description ?? '');
    if (summary?.args !== undefined) cmd.argument(summary.args);
    cmd.option('--stand-in').helpOption(false); // every real command has options: "[options]" in the list
    cmd.options.forEach((o) => (o.hidden = true));
  }
};

/** Every command's real module (tests compare the stand-ins with them). */
export async function loadAllCommands(): Promise<RegisterCommand[]> {
  return [...(await Promise.all(lazyCommands.map(([, load]) => load()))), ...commands];
}

/**
 * Loads the command argv names (or `help <name>` names) alone; otherwise (the program's help, a typo, no command)
 * registers the stand-ins, which list every command without importing any.
 */
export async function loadCommands(argv: readonly string[]): Promise<RegisterCommand[]> {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const first = words[0] === 'help' ? words[1] : words[0];
  const wanted = lazyCommands.filter(([name]) => name === first);
  if (wanted.length === 0) return [standIns, ...commands];
  return [...(await Promise.all(wanted.map(([, load]) => load()))), ...commands];
}

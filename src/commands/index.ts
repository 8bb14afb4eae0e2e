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

/** Loads the named command alone when argv names one, otherwise all of them (help, typos). */
export async function loadCommands(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv.find((arg) => !arg.startsWith('-'));
  const wanted = lazyCommands.filter(([name]) => name === first);
  const chosen = wanted.length > 0 ? wanted : lazyCommands;
  return [...(await Promise.all(chosen.map(([, load]) => load()))), ...commands];
}

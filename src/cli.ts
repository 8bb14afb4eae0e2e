/** Builds the commander program and turns every outcome into an exit code; the only place that knows them. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as commander from 'commander';
import { loadCommands } from './commands/index.js';
import { EXIT_CODES, helpFooter } from './commands/support/help-text.js';
import type { Deps } from './deps.js';
import { AppError, UsageError, causeChain } from './errors.js';
import { packageRoot } from './util/paths.js';
import { createSecretRegistry } from './util/secrets.js';
import { toText } from './util/to-text.js';

// commander is CommonJS: one require() skips the ES-module wrapper and the export scan Node 20 runs on it, a few
// ms of every start (issue 14: --help ≤ 150 ms).
const { Command, CommanderError } = createRequire(import.meta.url)('commander') as typeof commander;
type Command = commander.Command;

const NAME = 'codestream-auth';
const DESCRIPTION = 'Run the whole CodeStream third-party OAuth handshake on one machine and check every hop of it';

export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

// Commander codes that are not failures: the requested text was printed.
const INFORMATIONAL = new Set(['commander.helpDisplayed', 'commander.version']);

/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], deps: Deps): Promise<number> {
  let exitCode: number = EXIT.ok;
  let acted = false;
  const program = new Command(NAME)
    .description(DESCRIPTION)
    .version(readVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print the cause chain of errors');
  for (const register of await loadCommands(argv)) register(program, deps, (code) => (exitCode = code));

  // The command that is running or failed to parse, for its usage line in usage errors.
  let current: Command = program;
  program.hook('preAction', (_program, actionCommand) => {
    acted = true;
    current = actionCommand;
    // --debug is the program's; the command's renderer reads it from its own flags (it adds timings and details).
    if (program.opts<{ debug?: boolean }>().debug === true) actionCommand.setOptionValue('debug', true);
  });
  configureTree(program, deps, (cmd) => (current = cmd));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (!acted) {
      // No subcommand: show what there is, but as a usage failure so scripts notice.
      program.outputHelp({ error: true });
      exitCode = EXIT.usage;
    }
  } catch (err) {
    exitCode = reportError(err, { deps, command: current, debug: program.opts<{ debug?: boolean }>().debug === true });
  }
  return deps.signal?.aborted === true ? EXIT.interrupted : exitCode;
}

// Subcommands added with addCommand() do not inherit settings, so apply them to the whole tree.
function configureTree(cmd: Command, deps: Deps, onFail: (cmd: Command) => void): void {
  cmd.exitOverride((err) => {
    onFail(cmd);
    throw err;
  });
  cmd.configureOutput({
    writeOut: (text) => deps.io.stdout.write(text),
    writeErr: (text) => deps.io.stderr.write(text),
  });
  for (const sub of cmd.commands) configureTree(sub, deps, onFail);
  cmd.addHelpText('after', cmd.parent === null ? `\n${EXIT_CODES}\n` : helpFooter(cmd.name()));
}

function reportError(err: unknown, ctx: { deps: Deps; command: Command; debug: boolean }): number {
  // Only JWTs are recognisable here (no registry at this level); they must not land in CI logs.
  const redact = createSecretRegistry().redact;
  const print = (line: string): void => void ctx.deps.io.stderr.write(`${redact(line)}\n`);
  const path = commandPath(ctx.command);
  const usageHint = (hint?: string): void => {
    print(`usage: ${path} ${ctx.command.usage()}`);
    print(`hint: ${hint ?? `Run "${path} --help" to see the arguments and options.`}`);
  };

  if (err instanceof CommanderError) {
    if (INFORMATIONAL.has(err.code)) return EXIT.ok;
    // "commander.help" with exit code 1 means no subcommand was given; the help is already on stderr.
    if (err.code === 'commander.help') return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    usageHint(); // commander has already printed "error: …"
    return EXIT.usage;
  }
  if (err instanceof UsageError) {
    print(`error: ${err.message}`);
    usageHint(err.hint);
    return EXIT.usage;
  }
  if (err instanceof AppError) {
    print(`error: ${err.message}`);
    if (err.hint !== undefined) print(`hint: ${err.hint}`);
    if (ctx.debug) {
      print(`code: ${err.code}`);
      if (err.detail !== undefined) print(`detail: ${JSON.stringify(err.detail)}`);
      causeLines(err).forEach(print);
    } else if (err.code === 'UNEXPECTED') {
      causeChain(err).forEach((line) => print(`caused by: ${line}`));
    }
    return EXIT.failed;
  }
  print('unexpected error (this is a bug)');
  print(err instanceof Error ? (err.stack ?? err.message) : String(err));
  // The short chain always (ENOTFOUND host, ECONNREFUSED port); every cause's stack with --debug.
  (ctx.debug ? causeLines(err) : causeChain(err).map((line) => `caused by: ${line}`)).forEach(print);
  return EXIT.failed;
}

function causeLines(err: unknown): string[] {
  const lines: string[] = [];
  let cause = err instanceof Error ? err.cause : undefined;
  // A bound, because a cause chain can be circular.
  for (let depth = 0; cause !== undefined && depth < 10; depth++) {
    lines.push(
      `caused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : toText(cause)}`,
    );
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines;
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

// Read synchronously: one small file at start-up, where an asynchronous read only waits for the thread pool.
function readVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  return typeof version === 'string' ? version : '0.0.0';
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { commands, type RegisterCommand } from '../../src/commands/index.js';
import { AppError, UsageError } from '../../src/errors.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[], signal?: AbortSignal) {
  const fake = createFakeDeps(signal === undefined ? {} : { signal });
  const exitCode = await main(argv, fake.deps);
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('main with the built-in options', () => {
  it('prints help on stdout for --help and exits 0', async () => {
    const { exitCode, stdout } = await run(['--help']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('Usage: codestream-auth');
    expect(stdout).toContain('--debug');
  });

  it('prints the package version for --version and exits 0', async () => {
    expect(await run(['--version'])).toMatchObject({ exitCode: 0, stdout: '0.1.0\n' });
  });

  it('prints help on stderr and exits 2 when no command is given', async () => {
    const { exitCode, stdout, stderr } = await run([]);
    expect(exitCode).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: codestream-auth');
  });

  it.each([
    { name: 'an unknown command', argv: ['no-such-command'] },
    { name: 'an unknown option', argv: ['--no-such-option'] },
  ])('exits 2 with an error and a hint on $name', async ({ argv }) => {
    const { exitCode, stderr } = await run(argv);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/^error: /m);
    expect(stderr).toContain('hint: Run "codestream-auth --help"');
  });

  it('exits 130 when the run was interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await run(['--version'], controller.signal)).exitCode).toBe(130);
  });
});

// Stand-in commands registered the way real ones are, to pin how each outcome becomes an exit code.
const testCommands: RegisterCommand = (program, _deps, setExit) => {
  program.command('t-ok').action(() => setExit(0));
  program.command('t-fail').action(() => setExit(1));
  program.command('t-need <provider>').action(() => undefined);
  program.command('t-usage').action(() => {
    throw new UsageError('"--interval" must be a number', { hint: 'Pass milliseconds, e.g. --interval 500.' });
  });
  program.command('t-app').action(() => {
    throw new AppError('PROVIDER_UNKNOWN', 'no profile "gitlb"', {
      hint: 'Run "codestream-auth providers" to list ids.',
      cause: new Error('ENOENT gitlb.json'),
    });
  });
  program.command('t-bug').action(() => {
    throw new TypeError('cannot read "x" of undefined');
  });
};

describe('main with commands', () => {
  beforeAll(() => void commands.push(testCommands));
  afterAll(() => void commands.splice(commands.indexOf(testCommands), 1));

  it.each([
    { argv: ['t-ok'], exitCode: 0 },
    { argv: ['t-fail'], exitCode: 1 },
    { argv: ['t-need'], exitCode: 2 },
    { argv: ['t-ok', '--nope'], exitCode: 2 },
    { argv: ['t-usage'], exitCode: 2 },
    { argv: ['t-app'], exitCode: 1 },
    { argv: ['t-bug'], exitCode: 1 },
    { argv: ['t-okk'], exitCode: 2 },
  ])('exits $exitCode for $argv', async ({ argv, exitCode }) => {
    expect((await run(argv)).exitCode).toBe(exitCode);
  });

  it('prints a usage error with the usage line of the failing command and its hint', async () => {
    const { stderr } = await run(['t-usage']);
    expect(stderr).toContain('error: "--interval" must be a number\n');
    expect(stderr).toContain('usage: codestream-auth t-usage [options]\n');
    expect(stderr).toContain('hint: Pass milliseconds, e.g. --interval 500.\n');
  });

  it('names the subcommand in the usage line of a missing argument', async () => {
    const { stderr } = await run(['t-need']);
    expect(stderr).toContain("error: missing required argument 'provider'");
    expect(stderr).toContain('usage: codestream-auth t-need [options] <provider>');
  });

  it('prints an AppError message and hint, and its cause only with --debug', async () => {
    const plain = await run(['t-app']);
    expect(plain.stderr).toBe('error: no profile "gitlb"\nhint: Run "codestream-auth providers" to list ids.\n');
    const debug = await run(['--debug', 't-app']);
    expect(debug.stderr).toContain('code: PROVIDER_UNKNOWN');
    expect(debug.stderr).toContain('caused by: Error: ENOENT gitlb.json');
  });

  it('reports any other error as a bug, with its stack', async () => {
    const { stderr } = await run(['t-bug']);
    expect(stderr).toContain('unexpected error (this is a bug)');
    expect(stderr).toMatch(/TypeError: cannot read "x" of undefined\n\s+at /);
  });

  it('exits 0 for the help command', async () => {
    const { exitCode, stdout } = await run(['help']);
    expect(exitCode).toBe(0);
    expect(stdout).toContain('t-usage');
  });
});

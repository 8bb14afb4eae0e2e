/** --help (issue 16, item 10): examples and the exit codes on every subcommand; -v is --verbose, -V the version. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { Command } from 'commander';
import { lazyCommands, loadAllCommands, loadCommands } from '../../src/commands/index.js';
import { EXAMPLES } from '../../src/commands/support/help-text.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[]) {
  const fake = createFakeDeps();
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('help', () => {
  it.for(lazyCommands.map(([name]) => name))(
    '%s --help shows two or three examples and the exit codes',
    async (name) => {
      const { code, stdout } = await run([name, '--help']);
      expect(code).toBe(0);
      const examples = EXAMPLES[name] ?? [];
      expect(examples.length).toBeGreaterThanOrEqual(2);
      expect(examples.length).toBeLessThanOrEqual(3);
      expect(stdout).toContain('\nExamples:\n');
      for (const example of examples) expect(stdout).toContain(`  ${example}\n`);
      expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*usage.*\n {2}130 /);
    },
  );

  it('shows the exit codes under the program help', async () => {
    expect((await run(['--help'])).stdout).toContain('Exit codes:');
  });

  it('takes -v as --verbose and keeps -V for the version', async () => {
    expect((await run(['connect', '--help'])).stdout).toMatch(/-v, --verbose/);
    expect(await run(['-V'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  // The program's help registers stand-ins (no command module imported); they must list what the real ones do.
  it('lists the same commands, arguments and descriptions as the real commands', async () => {
    const list = async (registers: Awaited<ReturnType<typeof loadCommands>>) => {
      const program = new Command('codestream-auth');
      for (const register of registers) register(program, createFakeDeps().deps, () => undefined);
      const help = program.createHelp();
      return program.commands.map((c) => [help.subcommandTerm(c), c.description()]);
    };
    const real = await list(await loadAllCommands());
    expect(real).toHaveLength(lazyCommands.length);
    expect(await list(await loadCommands(['--help']))).toEqual(real);
  });
});

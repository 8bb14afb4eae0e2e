/**
 * The smaller things of issue 16, item 11: q at --step is "stopped", a past --tamper timestamp says so, a
 * sign-up hand-over nobody answers exits 1, FORCE_COLOR=1 colours piped output.
 */
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[], stdinText?: string) {
  const fake = createFakeDeps();
  const stdin = new PassThrough();
  if (stdinText !== undefined) stdin.write(stdinText);
  const exitCode = await main(argv, { ...fake.deps, io: { ...fake.deps.io, stdin } });
  stdin.destroy();
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('small things', () => {
  it('reports q at a --step prompt as stopped, not as a failure (exit 130)', async () => {
    const { exitCode, stderr } = await run(['connect', 'github', '--step'], '\nq\n');
    expect(exitCode).toBe(130);
    expect(stderr).toMatch(/^■ Agent gets a pauth code/m);
    expect(stderr).toMatch(/^connect github: stopped before step auth-code after \d+ ms$/m);
    expect(stderr).not.toContain('✖');
    expect(stderr).not.toContain('FAILED');
  });

  it('says a tampered Slack timestamp lies in the past', async () => {
    const { exitCode, stderr } = await run(['interact', 'slack', '--tamper', 'timestamp']);
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/request timestamp is \d+ s in the past, more than 300 s from now/);
    expect(stderr).not.toMatch(/\d+ s from now, more than/);
  });

  it('exits 1 when nobody calls check-signup within --timeout (without --poll), saying so', async () => {
    const { exitCode, stdout, stderr } = await run(['signup', 'github', '--timeout', '0.2']);
    expect(exitCode).toBe(1);
    expect(stdout).toMatch(/check-signup/); // the hand-over: the token and the request to make
    expect(stderr).toContain('error: nobody called check-signup within 0.2 s');
  });
});

describe('FORCE_COLOR', () => {
  const BIN = fileURLToPath(new URL('../../bin/codestream-auth.js', import.meta.url));
  const runBin = (env: Record<string, string>) =>
    new Promise<string>((resolve) => {
      const base: NodeJS.ProcessEnv = { ...process.env, ...env };
      if (env.FORCE_COLOR === undefined) delete base.FORCE_COLOR;
      delete base.NO_COLOR;
      execFile(process.execPath, [BIN, 'connect', 'github'], { env: base }, (_err, _stdout, stderr) => resolve(stderr));
    });

  it('colours piped output with FORCE_COLOR=1, and not without it', { timeout: 30_000 }, async () => {
    expect(await runBin({ FORCE_COLOR: '1' })).toContain('\x1b[32m✔\x1b[39m');
    expect(await runBin({})).not.toContain('\x1b[');
  });
});

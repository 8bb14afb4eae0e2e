import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import type { FlowEvent } from '../src/events.js';
import { createFakeDeps } from './helpers/fake-deps.js';

/** main() with a stdin that already holds `input` (and ends when `end` is set). */
async function runWithStdin(argv: string[], input: string, end: boolean) {
  const fake = createFakeDeps();
  const stdin = new PassThrough();
  stdin.write(input);
  if (end) stdin.end();
  const exitCode = await main(argv, { ...fake.deps, io: { ...fake.deps.io, stdin } });
  stdin.destroy();
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

const steps = (stdout: string, type: FlowEvent['type']): string[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FlowEvent)
    .filter((e) => e.type === type)
    .map((e) => (e as { step: string }).step);

describe('connect --step', () => {
  it('shows the request before each step, runs a step per Enter and stops cleanly with q (exit 130)', async () => {
    const { exitCode, stdout, stderr } = await runWithStdin(['connect', 'github', '--step', '--json'], '\n\n\nq\n', false);
    expect(exitCode).toBe(130);
    expect(steps(stdout, 'step-succeeded')).toEqual(['login', 'auth-code', 'subscribe']);
    expect(steps(stdout, 'step-failed')).toEqual(['start']);
    expect(stdout).toContain('stopped before step \\"start\\" at your request');
    expect(stderr).toMatch(/▸ next: Agent loads the me-object\n {2}GET http:\/\/127\.0\.0\.1:\d+\/users\/me \(agent → api, Bearer token\)\n {2}Enter to run it, q to quit: /);
    expect(stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/provider-auth-code\?teamId=acme/);
    // The start URL carries the pauth: shown, but shortened like every secret.
    expect(stderr).toMatch(/▸ next: Browser opens the start URL.*\n {2}GET http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?code=eyJ[\w-]+…[\w-]+ \(browser → api\)/);
    expect(stderr.match(/▸ next:/g)).toHaveLength(4);
  });

  it('shows each redirect target before following it', async () => {
    const { exitCode, stderr } = await runWithStdin(['connect', 'github', '--step', '--json'], '\n'.repeat(5) + 'q\n', false);
    expect(exitCode).toBe(130);
    expect(stderr).toMatch(/▸ next: Provider approves.*\n {2}GET http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?client_id=cs-github-client&redirect_uri=.* \(browser → provider\)/);
  });

  it('runs the remaining steps without pausing once stdin ends, so it never hangs', async () => {
    const { exitCode, stdout, stderr } = await runWithStdin(['connect', 'github', '--step', '--json'], '\n', true);
    expect(exitCode).toBe(0);
    expect(steps(stdout, 'step-failed')).toEqual([]);
    expect(steps(stdout, 'step-succeeded')).toEqual(expect.arrayContaining(['login', 'start', 'callback', 'broadcast']));
    expect(stderr).toContain('stdin ended: running the remaining steps without pausing');
    expect(stderr.match(/▸ next:/g)).toHaveLength(2);
  });

  it('is a usage error without any stdin', async () => {
    const fake = createFakeDeps();
    expect(await main(['connect', 'github', '--step'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('error: --step needs a standard input to read Enter or q from');
  });

  it('exits 130 on Ctrl-C at the prompt', async () => {
    const controller = new AbortController();
    const fake = createFakeDeps({ signal: controller.signal });
    const stdin = new PassThrough();
    const stderr = fake.deps.io.stderr;
    // Press Ctrl-C as soon as the first prompt is on screen.
    const io = { ...fake.deps.io, stdin, stderr: Object.assign(Object.create(stderr) as typeof stderr, { write: (t: string) => (t.includes('q to quit') && controller.abort(), stderr.write(t)) }) };
    expect(await main(['connect', 'github', '--step'], { ...fake.deps, io })).toBe(130);
    expect(fake.stderr()).toContain('interrupted at the --step prompt');
  });
});

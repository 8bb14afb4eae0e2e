/** The multi-environment flags and `interact` through main(): exit codes, NDJSON, usage errors. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = createFakeDeps();
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

const lastEvent = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

describe('codestream-auth interact', () => {
  it('exits 0 for slack in qa and ends its NDJSON with flow-finished ok', async () => {
    const res = await run(['interact', 'slack', '--env', 'qa', '--envs', 'pd', '--json']);
    expect(res.code).toBe(0);
    expect(lastEvent(res.stdout)).toMatchObject({
      type: 'flow-finished',
      flow: 'interact',
      ok: true,
      result: { expected: 'accepted', status: 200 },
    });
  });

  it('exits 0 for an expected refusal and prints the reason', async () => {
    const res = await run([
      'interact',
      'msteams',
      '--env',
      'pd',
      '--envs',
      'qa',
      '--tamper',
      'timestamp',
      '--proxy-host',
      'separate',
      '-v',
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('403 RAPI-1003 — the channel token has expired');
    expect(res.stderr).toContain('expected outcome: refused by the environment');
    expect(res.stderr).toContain('(its own origin)');
  });

  it("shortens the Teams channel's bearer JWT unless --show-secrets", async () => {
    const fullJwt = /eyJ[\w-]+\.[\w-]+\.[\w-]{20,}/;
    expect((await run(['interact', 'msteams', '--env', 'qa', '--envs', 'qa', '--json'])).stdout).not.toMatch(fullJwt);
    expect(
      (await run(['interact', 'msteams', '--env', 'qa', '--envs', 'qa', '--json', '--show-secrets'])).stdout,
    ).toMatch(fullJwt);
  });

  it.each([
    [['interact', 'discord']],
    [['interact', 'slack', '--tamper', 'body']],
    [['interact', 'slack', '--proxy-host', 'elsewhere']],
    [['interact', 'slack', '--env', 'staging']],
    [['interact', 'slack', '--envs', ',']],
    [['connect', 'github', '--misconfig', 'everything']],
    [['connect', 'github', '--router-mode', 'tunnel']],
    [['connect', 'github', '--misconfig', 'router-unknown-env', '--browser']],
  ])('exits 2 with a usage line for %j', async (argv) => {
    const res = await run(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: /m);
    expect(res.stderr).toMatch(/^usage: /m);
  });
});

describe('codestream-auth connect across environments', () => {
  it('exits 0 for a misconfiguration that fails exactly as expected', async () => {
    const res = await run([
      'connect',
      'github',
      '--env',
      'qa',
      '--envs',
      'pd',
      '--misconfig',
      'callback-env-unset',
      '--json',
    ]);
    expect(res.code).toBe(0);
    expect(lastEvent(res.stdout)).toMatchObject({ ok: true, result: { misconfig: 'callback-env-unset' } });
  });

  it('exits 0 with the router as a reverse proxy', async () => {
    const res = await run(['connect', 'github', '--env', 'qa', '--envs', 'pd', '--router-mode', 'proxy']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('proxied: the router relayed its 302');
    expect(res.stderr).toContain('pd saw nothing');
  });
});

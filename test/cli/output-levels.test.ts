/**
 * How much a flow command prints (issue 16, items 5 and 9): a line per step by default, every check and hop with
 * -v, the final line and failures with -q; a failing step in full at every level; the cause of an unexpected
 * error; steps a run did not take shown as skipped.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { PROFILE_TEMPLATE } from '../../src/commands/init-profile.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  const fake = createFakeDeps({ env });
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-levels-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('output levels of connect', () => {
  it('prints a line per step and the final line by default, no check or hop', async () => {
    const { code, stderr } = await run(['connect', 'github']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^connect github \(env local\)\n/);
    expect(stderr).toContain('✔ Agent loads the me-object');
    expect(stderr).not.toMatch(/^ {2}[✓→⇢·]/m);
    expect(stderr).toMatch(/\nconnect github: ok in \d+ ms\n$/);
  });

  it('prints every check and hop with -v and --verbose', async () => {
    for (const flag of ['-v', '--verbose']) {
      const { stderr } = await run(['connect', 'github', flag]);
      expect(stderr).toMatch(/^ {2}✓ pauth type — "pauth"$/m);
      expect(stderr).toMatch(/^ {2}→ agent→api GET http:\/\/127\.0\.0\.1:\d+\/users\/me 200$/m);
    }
  });

  it('prints only the final line with -q', async () => {
    const { code, stderr } = await run(['connect', 'github', '-q']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^connect github: ok in \d+ ms\n$/);
  });

  it('refuses -v with -q as a usage error', async () => {
    expect((await run(['connect', 'github', '-v', '-q'])).code).toBe(2);
  });

  it('shows the failing step with its hops and notes in full, even with -q', async () => {
    const { code, stderr } = await run(['signup', 'bitbucket', '--poll', '--interval', '20', '--deny', '-q']);
    expect(code).toBe(1);
    expect(stderr).not.toContain('✔');
    expect(stderr).toMatch(/^ {2}· poll 1 /m);
    expect(stderr).toMatch(/^✖ Agent polls check-signup/m);
    expect(stderr).toContain('[LOGIN_FAILED]');
    expect(stderr).toMatch(/signup bitbucket: FAILED at step poll after \d+ ms\n$/);
  });

  it('shows a step the run did not take as skipped, not as passed', async () => {
    const { code, stderr } = await run(['connect', 'github', '--misconfig', 'exchange-redirect-uri']);
    expect(code).toBe(0);
    expect(stderr).toContain(
      "– Callback page's script moves the token from the fragment to the query — skipped: not taken by github",
    );
    expect(stderr).not.toContain('✔ Callback page');
  });
});

describe('an unreachable server', () => {
  it('names the system error behind "fetch failed" (ECONNREFUSED and the port); --debug adds timings', async () => {
    const port = await closedPort();
    const path = join(dir, 'down.json');
    const server = {
      ...PROFILE_TEMPLATE.server,
      authorizeUrl: `http://127.0.0.1:${port}/authorize`,
      tokenUrl: `http://127.0.0.1:${port}/token`,
    };
    await writeFile(path, JSON.stringify({ ...PROFILE_TEMPLATE, server }));
    const env = { MY_OAUTH_SECRET: 'a-secret-value' };
    const plain = await run(['connect', '--profile', path], env);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain('fetch failed');
    expect(plain.stderr).toMatch(new RegExp(`caused by: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    const debug = await run(['connect', '--profile', path, '--debug'], env);
    expect(debug.stderr).toMatch(new RegExp(`caused by: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
    expect(debug.stderr).toMatch(/^ {2}→ .* \(\d+ ms\)$/m);
  });
});

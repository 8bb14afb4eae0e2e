/**
 * `serve` while it runs (issue 16, item 8): the built bin prints ready-to-open start URLs and each request as it
 * happens (secrets shortened; --quiet silences it; --json as NDJSON), and closes every server on SIGTERM and
 * SIGHUP as on Ctrl-C, exiting as a shell reports the signal (143, 129).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { refuses } from '../helpers/net.js';

const BIN = fileURLToPath(new URL('../../bin/codestream-auth.js', import.meta.url));
type Child = ChildProcessByStdio<null, Readable, Readable>;

const children = new Set<Child>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** Spawns serve with one environment and one provider; resolves once it says the lab is up. */
async function spawnServe(args: string[]): Promise<{ child: Child; stdout: () => string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--providers', 'github', '--envs', 'local', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('the lab is up')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
  return { child, stdout: () => stdout, stderr: () => stderr };
}

/** The line after the one starting with `heading` on serve's stdout. */
function urlAfter(stdout: string, heading: string): string {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => l.startsWith(heading));
  return (lines[at + 1] ?? '').trim();
}

async function stop(child: Child, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = (await exited) as [number | null];
  return code;
}

describe('serve (the built bin) while it runs', () => {
  it(
    'prints start URLs and each request as it happens, and closes everything on SIGTERM (exit 143)',
    { timeout: 30_000 },
    async () => {
      const { child, stdout, stderr } = await spawnServe([]);
      const connect = urlAfter(stdout(), 'Connect github as the seeded user');
      const signup = urlAfter(stdout(), 'Sign up with github');
      expect(connect).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?code=eyJ[\w-]+\.[\w-]+\.[\w-]+$/,
      );
      expect(signup).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?signupToken=[0-9a-f-]{36}$/);

      // The connect URL is ready to open: the API sends the browser to the provider.
      const res = await fetch(connect, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 (test)' } });
      expect(res.status).toBe(302);
      await expect
        .poll(stderr)
        .toMatch(
          /^\d\d:\d\d:\d\d\.\d{3} browser → api local {2}GET \/web\/provider-auth\/github\?code=eyJhbG…[\w-]{4} {2}302 → http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?.* {2}\d+ ms$/m,
        );
      // The pauth is shortened in the log, never whole.
      expect(stderr()).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/);

      const apiUrl = new URL(connect).origin;
      expect(await stop(child, 'SIGTERM')).toBe(143);
      expect(stderr()).toContain('all servers closed');
      expect(await refuses(apiUrl)).toBe(true);
    },
  );

  it('prints no request with --quiet, and closes everything on SIGHUP (exit 129)', { timeout: 30_000 }, async () => {
    const { child, stdout, stderr } = await spawnServe(['--quiet']);
    const signup = urlAfter(stdout(), 'Sign up with github');
    expect((await fetch(signup, { redirect: 'manual' })).status).toBe(302);
    const apiUrl = new URL(signup).origin;
    expect(await stop(child, 'SIGHUP')).toBe(129);
    expect(stderr()).toContain('all servers closed');
    expect(stderr()).not.toMatch(/ → api local /);
    expect(await refuses(apiUrl)).toBe(true);
  });

  it('prints each request as an NDJSON event after the JSON description with --json', { timeout: 30_000 }, async () => {
    const { child, stdout } = await spawnServe(['--json']);
    const info = JSON.parse(stdout().split('\n')[0] ?? '{}') as { start: { signup: { url: string } } };
    await fetch(info.start.signup.url, { redirect: 'manual' });
    await expect.poll(() => stdout().split('\n').length).toBeGreaterThan(2);
    const event = JSON.parse(stdout().split('\n')[1] ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'request',
      actor: 'client',
      server: 'api local',
      method: 'GET',
      status: 302,
      path: expect.stringMatching(/^\/web\/provider-auth\/github\?signupToken=/) as unknown,
    });
    expect(await stop(child, 'SIGINT')).toBe(130);
  });
});

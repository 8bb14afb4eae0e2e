/**
 * `--api-url`: connect, refresh and disconnect against a CodeStream API in ANOTHER process (`serve`, the built
 * bin), so the run sees it over HTTP only: no journal, no store; delivery is seen in GET /users/me.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { ServeInfo } from '../../src/lab/serve.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { refuses } from '../helpers/net.js';

const BIN = fileURLToPath(new URL('../../bin/codestream-auth.js', import.meta.url));

let child: ChildProcessByStdio<null, Readable, Readable> | undefined;
let info: ServeInfo;
let apiUrl: string;

// One serve for the file: consent auto, so the headless browser passes authorize with one 302.
beforeAll(async () => {
  const spawned = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--json',
      '-q',
      '--no-inspector',
      '--consent',
      'auto',
      '--providers',
      'github,gitlab',
      '--envs',
      'local',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  child = spawned;
  let stderr = '';
  spawned.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  const line = await new Promise<string>((resolve, reject) => {
    spawned.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    spawned.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
  info = JSON.parse(line) as ServeInfo;
  apiUrl = info.envs[0]?.apiUrl ?? '';
}, 30_000);

afterAll(() => {
  child?.kill('SIGKILL');
});

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const fake = createFakeDeps({ env });
  const code = await main(args, fake.deps);
  return { code, out: fake.stdout() + fake.stderr() };
}

const remote = (): string[] => ['--api-url', apiUrl, '--token', info.user.accessToken, '--team', info.user.teamId];

describe('--api-url against serve in another process', () => {
  it('connect passes, sees the token in /users/me and lists the skipped checks once', { timeout: 20_000 }, async () => {
    const { code, out } = await run(['connect', 'github', ...remote(), '-v']);
    expect(out).toContain('✔ Agent sees the new token (me-channel or GET /users/me)');
    expect(out).toContain('✓ a new token under providerInfo.acme.github.accessToken');
    expect(out.match(/skipped without the API's journal and store/g)).toHaveLength(1);
    expect(out).toContain('the token stored under providerInfo (read back through /users/me instead)');
    expect(out).toContain('connect github: ok');
    expect(code).toBe(0);
  });

  it(
    'with --broadcaster-url, delivery is the directive on user-<id>, and /users/me agrees',
    { timeout: 20_000 },
    async () => {
      const broadcaster = ['--broadcaster-url', info.envs[0]?.broadcasterUrl ?? ''];
      const { code, out } = await run(['connect', 'gitlab', ...remote(), ...broadcaster, '-v'], {
        CODESTREAM_BROADCASTER_TOKEN: info.user.broadcasterToken,
      });
      expect(out).toContain('✓ broadcaster confirmed the channel — "user-dana"');
      expect(out).toContain('✓ a directive setting providerInfo.acme.gitlab.accessToken on user-dana');
      expect(out).toContain('✓ /users/me holds the token the directive set');
      expect(out).not.toContain('the directive on user-<id>');
      expect(code).toBe(0);
    },
  );

  it('takes the token from CODESTREAM_TOKEN', { timeout: 20_000 }, async () => {
    const { code, out } = await run(['connect', 'github', '--api-url', apiUrl, '--team', 'acme'], {
      CODESTREAM_TOKEN: info.user.accessToken,
    });
    expect(out).toContain('connect github: ok');
    expect(code).toBe(0);
  });

  it('refresh passes: the refreshed token shows in /users/me', { timeout: 20_000 }, async () => {
    const { code, out } = await run(['refresh', 'gitlab', ...remote(), '-v']);
    expect(out).toContain('✓ /users/me holds the refreshed token');
    expect(out.match(/skipped without the API's journal and store/g)).toHaveLength(1);
    expect(out).toContain("the provider's refresh grant and its format");
    expect(out).toContain('refresh gitlab: ok');
    expect(code).toBe(0);
  });

  it('disconnect passes: the token is gone from /users/me', { timeout: 20_000 }, async () => {
    const { code, out } = await run(['disconnect', 'github', ...remote(), '-v']);
    expect(out).toContain('✓ /users/me has no token under providerInfo.acme.github');
    expect(out.match(/skipped without the API's journal and store/g)).toHaveLength(1);
    expect(out).toContain('disconnect github: ok');
    expect(code).toBe(0);
  });

  it(
    'signup passes without a token: the login package holds the provider token, once',
    { timeout: 20_000 },
    async () => {
      const { code, out } = await run(['signup', 'github', '--api-url', apiUrl, '-v']);
      expect(out).toContain('✓ check-signup answers 200 with the login package');
      expect(out).toContain('✓ me-object providerInfo.github.accessToken present');
      expect(out).toContain('✔ A second check-signup with the same token answers AUTH-1006');
      expect(out.match(/skipped without the API's journal and store/g)).toHaveLength(1);
      // The package's CS token is shortened like every secret (serve's tokens are cs-token-<32 hex>).
      expect(out).not.toMatch(/cs-token-[0-9a-f]{32}/);
      expect(out).toContain('signup github: ok');
      expect(code).toBe(0);
    },
  );

  it('a bad token ends with one line and exit 1', async () => {
    const { code, out } = await run([
      'connect',
      'github',
      '--api-url',
      apiUrl,
      '--token',
      'not-a-token',
      '--team',
      'acme',
    ]);
    expect(out.trim().split('\n')).toEqual([
      `error: the CodeStream API at ${apiUrl} refused the token (403): pass a valid access token with --token or CODESTREAM_TOKEN`,
    ]);
    expect(code).toBe(1);
  });

  it('an unreachable API ends with one line and exit 1', async () => {
    const closed = await freePort();
    expect(await refuses(closed)).toBe(true);
    const { code, out } = await run(['connect', 'github', '--api-url', closed, '--token', 'x', '--team', 'acme']);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: the CodeStream API at ${closed} cannot be reached: `));
    expect(code).toBe(1);
  });

  it('a provider the API does not know fails the start with one clear line and exit 1', async () => {
    const { code, out } = await run(['connect', 'bitbucket', ...remote()]);
    expect(out.split('\n').filter((l) => l.includes('✗'))).toEqual([
      '  ✗ the API knows bitbucket: expected "a redirect to the provider", got "/web/error with code PRVD-1009"',
    ]);
    expect(out).toContain('connect bitbucket: FAILED at step start');
    expect(code).toBe(1);
  });

  it('--provider-port starts the lab provider there and checks that the API sends the browser to it', async () => {
    // serve's API is configured with serve's own github, so the check that names the lab provider must fail.
    const port = new URL(await freePort()).port;
    const { code, out } = await run(['connect', 'github', ...remote(), '--provider-port', port]);
    const serveGithub = info.providers.find((p) => p.id === 'github')?.url ?? '';
    expect(out.split('\n').filter((l) => l.includes('✗'))).toEqual([
      `  ✗ authorize origin (the lab provider): expected "http://127.0.0.1:${port}", got "${new URL(serveGithub).origin}"`,
    ]);
    expect(code).toBe(1);
    expect(await refuses(`http://127.0.0.1:${port}`)).toBe(true);
  });

  it('refuses lab options and a missing team with exit 2', async () => {
    expect((await run(['connect', 'github', ...remote(), '--envs', 'pd'])).code).toBe(2);
    const { code, out } = await run(['connect', 'github', '--api-url', apiUrl, '--token', 'x']);
    expect(out).toContain('--api-url needs the team: --team <id>');
    expect(code).toBe(2);
  });
});

/** A loopback URL where nothing listens: a port the OS gave out and took back. */
async function freePort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * `serve`: the built bin in a child process (dist/ is fresh: `npm test` runs `pretest`, the build), used from
 * this process the way an IDE and a browser would use it; then Ctrl-C. Flag handling runs in process.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastClient } from '../../src/agent-sim/broadcast-client.js';
import { main } from '../../src/cli.js';
import { urlHost } from '../../src/listen.js';
import { isLoopbackHost, type ServeInfo } from '../../src/lab/serve.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { visitAndDecide } from '../helpers/scripted-browser.js';
import { refuses } from '../helpers/net.js';

const BIN = fileURLToPath(new URL('../../bin/codestream-auth.js', import.meta.url));

/** Every URL serve announced. */
const allUrls = (info: ServeInfo): string[] => [
  ...info.envs.map((e) => e.apiUrl),
  info.router.url,
  info.marketingUrl,
  info.vpnProxy.url,
  ...info.providers.map((p) => p.url),
];

// Children still running when a test ends (it failed before its Ctrl-C): killed, so no port stays taken.
const children = new Set<ChildProcessByStdio<null, Readable, Readable>>();
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** Spawns the bin and resolves with serve's JSON line (its first line on stdout). */
async function spawnServe(
  args: string[],
): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; info: ServeInfo; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let stdout = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before listening: ${stderr}`)));
  });
  return { child, info: JSON.parse(line) as ServeInfo, stderr: () => stderr };
}

describe('serve --json (the built bin)', () => {
  // 19 servers in a child process and a whole consent flow: a loaded CI machine needs more than vitest's 10 s.
  it(
    'prints every URL and credential once listening, completes a connect from outside, and exits 130 on Ctrl-C with every port closed',
    { timeout: 30_000 },
    async () => {
      const { child, info, stderr } = await spawnServe([]);
      try {
        expect(info.user).toEqual({
          id: 'dana',
          email: 'dana@acme.example',
          accessToken: 'cs-token-dana',
          broadcasterToken: 'bc-token-dana',
          teamId: 'acme',
        });
        expect(info.envs.map((e) => e.name)).toEqual(['local', 'pd', 'qa', 'local-10-1-2-3']);
        expect(info.providers.map((p) => p.id)).toContain('github');
        expect(info.consent).toBe('page');
        const env = info.envs.find((e) => e.name === 'pd');
        if (!env) throw new Error('no pd environment');
        expect(env.broadcasterUrl).toBe(`${env.apiUrl.replace('http', 'ws')}/broadcaster`);
        expect(info.router.authOrigin).toBe(`${info.router.url}/no-auth`);

        // The IDE: a pauth code with its CS token, then a subscription to its me-channel.
        const headers = { authorization: `Bearer ${info.user.accessToken}` };
        const { code } = (await (
          await fetch(`${env.apiUrl}/provider-auth-code?teamId=${info.user.teamId}`, { headers })
        ).json()) as { code: string };
        const broadcasts = new BroadcastClient();
        await broadcasts.subscribe({
          apiUrl: env.apiUrl,
          token: info.user.broadcasterToken,
          channels: [`user-${info.user.id}`],
        });
        try {
          // The browser: start route, consent page (Approve), router, callback in "pd", success page.
          const visit = await visitAndDecide(`${env.apiUrl}/no-auth/provider-auth/github?code=${code}`, 'approve');
          expect(visit.final).toMatchObject({ status: 200, url: `${info.marketingUrl}/auth-complete/github` });
          expect(visit.hops.map((h) => `${h.method} ${new URL(h.url).origin} ${h.status}`)).toEqual([
            `GET ${env.apiUrl} 302`,
            `GET ${info.providers.find((p) => p.id === 'github')?.url} 200`,
            `POST ${info.providers.find((p) => p.id === 'github')?.url} 303`,
            `GET ${info.router.url} 302`,
            `GET ${env.apiUrl} 302`,
            `GET ${info.marketingUrl} 200`,
          ]);
          const key = `providerInfo.${info.user.teamId}.github.accessToken`;
          const got = await broadcasts.waitFor(
            (m) => key in ((m.message.user as { $set?: object } | undefined)?.$set ?? {}),
            5000,
          );
          const token = (got.message.user as { $set: Record<string, unknown> }).$set[key];
          expect(token).toMatch(/^gho_/);
          const me = (await (await fetch(`${env.apiUrl}/users/me`, { headers })).json()) as {
            user: { providerInfo: Record<string, Record<string, { accessToken?: string }>> };
          };
          expect(me.user.providerInfo[info.user.teamId]?.github?.accessToken).toBe(token);
        } finally {
          await broadcasts.close();
        }
      } finally {
        child.kill('SIGINT');
      }
      const [exitCode] = await once(child, 'exit');
      expect(exitCode).toBe(130);
      expect(stderr()).toContain('all servers closed');
      expect(await Promise.all(allUrls(info).map(refuses))).toEqual(allUrls(info).map(() => true));
    },
  );
});

/** A port some other process already listens on. */
async function takenPort(): Promise<{ port: number; close(): void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

/**
 * The first of `count` consecutive free ports, chosen at random below the OS's ephemeral range
 * (Linux hands out 32768–60999 for port 0), so the other tests' port-0 servers cannot take them
 * between this probe and serve's bind.
 */
async function freeRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 10_000);
    const probes = await Promise.all(Array.from({ length: count }, (_, i) => bindable(base + i)));
    if (probes.every(Boolean)) return base;
  }
  throw new Error(`no run of ${count} free ports found below the ephemeral range`);
}

function bindable(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('serve flags (in process)', () => {
  it('fails with PORT_IN_USE, naming the port, when --port is taken', async () => {
    const taken = await takenPort();
    try {
      const fake = createFakeDeps();
      expect(
        await main(['serve', '--port', String(taken.port), '--providers', 'github', '--envs', 'local'], fake.deps),
      ).toBe(1);
      expect(fake.stderr()).toContain(`error: port "${taken.port}" is already in use (127.0.0.1:${taken.port})`);
      expect(fake.stderr()).toContain('hint: serve needs 4 consecutive ports from --port');
      expect(fake.stdout()).toBe('');
    } finally {
      taken.close();
    }
  });

  it("binds the boxes to --port n, n+1, … in order: router, marketing, providers (Linear's API host next to it), environments", async () => {
    // Another process may still grab one of the ports between the probe and the bind; retry then.
    for (let attempt = 1; ; attempt++) {
      const base = await freeRun(7);
      const controller = new AbortController();
      const fake = createFakeDeps({ signal: controller.signal });
      const run = main(
        ['serve', '--json', '--port', String(base), '--providers', 'github,linear', '--envs', 'local,pd'],
        fake.deps,
      );
      await expect.poll(() => fake.stdout() !== '' || fake.stderr().includes('error:')).toBe(true);
      if (fake.stdout() === '') {
        expect(await run).toBe(1);
        expect(fake.stderr()).toContain('is already in use');
        if (attempt < 3) continue;
        throw new Error(`no free run of 7 ports in 3 attempts: ${fake.stderr()}`);
      }
      const info = JSON.parse(fake.stdout()) as ServeInfo;
      const port = (url: string): number => Number(new URL(url).port);
      const [github, linear] = info.providers;
      expect(
        [
          info.router.url,
          info.marketingUrl,
          github?.url ?? '',
          linear?.url ?? '',
          linear?.apiUrl ?? '',
          ...info.envs.map((e) => e.apiUrl),
        ].map(port),
      ).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => base + i));
      controller.abort();
      expect(await run).toBe(130);
      return;
    }
  });

  it('serves enterprise providers at the hosts the teams registered, with --router-mode proxy and --proxy-host separate', async () => {
    const controller = new AbortController();
    const fake = createFakeDeps({ signal: controller.signal });
    const run = main(
      [
        'serve',
        '--json',
        '--consent',
        'auto',
        '--providers',
        'github_enterprise',
        '--envs',
        'local',
        '--router-mode',
        'proxy',
        '--proxy-host',
        'separate',
      ],
      fake.deps,
    );
    await expect.poll(() => fake.stdout() !== '' || fake.stderr().includes('error:')).toBe(true);
    const info = JSON.parse(fake.stdout()) as ServeInfo;
    try {
      expect(info.providers).toEqual([
        {
          id: 'github_enterprise',
          displayName: 'GitHub Enterprise',
          url: expect.any(String),
          hosts: ['https://git.example.com'],
        },
      ]);
      expect({
        router: info.router.mode,
        proxy: info.vpnProxy.host,
        ownOrigin: info.vpnProxy.url !== info.router.url,
      }).toEqual({ router: 'proxy', proxy: 'separate', ownOrigin: true });
      const env = info.envs[0];
      if (!env) throw new Error('no environment');
      // The IDE names the registered host; the lab's mock plays it, and the router relays the callback's answer.
      const headers = { authorization: `Bearer ${info.user.accessToken}` };
      const { code } = (await (
        await fetch(`${env.apiUrl}/provider-auth-code?teamId=${info.user.teamId}`, { headers })
      ).json()) as { code: string };
      const visit = await visitAndDecide(
        `${env.apiUrl}/no-auth/provider-auth/github_enterprise?code=${code}&host=${encodeURIComponent('https://git.example.com')}`,
        'approve',
      );
      expect(visit.hops.map((h) => `${new URL(h.url).origin} ${h.status}`)).toEqual([
        `${env.apiUrl} 302`,
        `${info.providers[0]?.url} 302`,
        `${info.router.url} 302`,
        `${info.marketingUrl} 200`,
      ]);
      const me = (await (await fetch(`${env.apiUrl}/users/me`, { headers })).json()) as {
        user: { providerInfo: Record<string, Record<string, { hosts?: Record<string, { accessToken?: string }> }>> };
      };
      expect(
        me.user.providerInfo[info.user.teamId]?.github_enterprise?.hosts?.['https://git*example*com']?.accessToken,
      ).toEqual(expect.any(String));
    } finally {
      controller.abort();
    }
    expect(await run).toBe(130);
  });

  it('puts --public-host in every URL it prints, binding --host', async () => {
    const controller = new AbortController();
    const fake = createFakeDeps({ signal: controller.signal });
    const run = main(
      ['serve', '--json', '--providers', 'github,linear', '--envs', 'local', '--public-host', 'lab.example.test'],
      fake.deps,
    );
    await expect.poll(() => fake.stdout() !== '' || fake.stderr().includes('error:')).toBe(true);
    const info = JSON.parse(fake.stdout()) as ServeInfo;
    controller.abort();
    expect(await run).toBe(130);
    const urls = [
      ...allUrls(info),
      info.router.authOrigin,
      ...info.providers.flatMap((p) => (p.apiUrl === undefined ? [] : [p.apiUrl])),
    ];
    expect(urls.filter((u) => !u.startsWith('http://lab.example.test:'))).toEqual([]);
    // Linear's API host is a server of its own, listed so an IDE or a firewall rule can find it.
    expect(info.providers.find((p) => p.id === 'linear')?.apiUrl).toMatch(/^http:\/\/lab\.example\.test:\d+$/);
  });

  it.each([
    ['0.0.0.0', undefined, '127.0.0.1'],
    ['::', undefined, '127.0.0.1'],
    ['::1', undefined, '[::1]'],
    ['127.0.0.1', 'lab.local', 'lab.local'],
    ['0.0.0.0', 'fd00::5', '[fd00::5]'],
  ])('a server bound to %s with public host %s is announced as %s', (host, publicHost, shown) => {
    expect(urlHost(host, publicHost)).toBe(shown);
  });

  it("refuses a --host that is not this machine's (exit 2) without first warning that it exposes the lab", async () => {
    const fake = createFakeDeps();
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine, so nothing is exposed.
    expect(await main(['serve', '--host', '192.0.2.1', '--providers', 'github', '--envs', 'local'], fake.deps)).toBe(2);
    expect(fake.stderr()).not.toContain('warning: binding');
    expect(fake.stderr()).toContain('error: --host "192.0.2.1" is not an address of this machine');
  });

  it.each([
    [['--envs', 'nowhere'], 'unknown environment "nowhere"'],
    [['--providers', 'gitlb'], 'unknown provider "gitlb"'],
    [['--port', '70000'], '--port must be a whole number'],
    [['--port', 'abc'], '--port must be a whole number'],
    [['--consent', 'maybe'], '--consent must be one of page, auto'],
    [['--router-mode', 'nginx'], '--router-mode must be one of redirect, proxy'],
    [['--proxy-host', 'elsewhere'], '--proxy-host must be one of same, separate'],
    [['--public-host', 'http://x/'], '--public-host must be a host name or an IP address'],
  ])('rejects %j with exit 2', async (args, message) => {
    const fake = createFakeDeps();
    expect(await main(['serve', ...args], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain(message);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.10', false],
  ])('treats host %s as loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

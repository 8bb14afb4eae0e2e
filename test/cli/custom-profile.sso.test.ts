/**
 * `connect --profile` and `signup --profile` headless against an authorization server of the common kind (303 to
 * a relative login page, a session cookie, a login form, a consent page; test/helpers/sso-server.ts, not built
 * on the lab's mocks): the profile's `login` block signs in, and what cannot be passed ends the run clearly.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { startSsoServer, type SsoServer, type SsoServerOptions } from '../helpers/sso-server.js';

const SECRET = 'acme-sso-client-secret';
const PASSWORD = 'correct-horse-battery';
const ENV = { ACME_SSO_SECRET: SECRET, SSO_USER: 'ada', SSO_PASSWORD: PASSWORD };
const LOGIN = { fields: { username: 'SSO_USER', password: 'SSO_PASSWORD' }, submit: 'Sign in' };
const CALLBACK = 'http://127.0.0.1/no-auth/provider-token/acme_sso';

let dir: string;
const servers: SsoServer[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'custom-sso-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function sso(opts: Partial<SsoServerOptions> = {}): Promise<SsoServer> {
  const server = await startSsoServer({
    clientId: 'acme-client',
    clientSecret: SECRET,
    redirectUris: [CALLBACK],
    users: { ada: PASSWORD },
    ...opts,
  });
  servers.push(server);
  return server;
}

async function profile(server: SsoServer, extra: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, `acme-${servers.length}-${Math.random().toString(16).slice(2)}.json`);
  const { server: serverExtra, ...rest } = extra;
  await writeFile(
    path,
    JSON.stringify({
      id: 'acme_sso',
      displayName: 'Acme SSO',
      realHost: 'sso.acme.example',
      authorize: { scopes: 'openid profile email' },
      token: { format: 'formQuery' },
      server: {
        authorizeUrl: `${server.url}/authorize`,
        tokenUrl: `${server.url}/token`,
        clientId: 'acme-client',
        clientSecretEnv: 'ACME_SSO_SECRET',
        ...(serverExtra as object | undefined),
      },
      ...rest,
    }),
  );
  return path;
}

const events = (stdout: string): FlowEvent[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as FlowEvent);

async function connect(path: string, env: Record<string, string> = ENV) {
  const fake = createFakeDeps({ env });
  const code = await main(['connect', '--profile', path, '--envs', 'local', '--json'], fake.deps);
  return { code, all: events(fake.stdout()), stdout: fake.stdout(), stderr: fake.stderr() };
}

const failed = (all: FlowEvent[]) => all.filter((e) => e.type === 'check-failed');

describe('connect --profile with a login block, against a server with login and consent pages', () => {
  it('signs in, approves and completes the connect, every hop reported and the password never shown', async () => {
    const server = await sso();
    const run = await connect(await profile(server, { login: LOGIN }));
    expect(run.stderr).toBe('');
    expect(failed(run.all)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.all.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    // The browser took the server's way: relative 303s, the 307 re-post, the cookie-guarded consent.
    expect(server.seen).toEqual([
      'GET /authorize',
      'GET /login',
      'POST /signin',
      'POST /session',
      'GET /consent',
      'POST /consent',
      'POST /token',
    ]);
    const hops = run.all.flatMap((e) => (e.type === 'http' && e.to === 'provider' ? [`${e.method} ${e.status}`] : []));
    expect(hops).toEqual(['GET 303', 'GET 200', 'POST 307', 'POST 303', 'GET 200', 'POST 302']);
    // The session cookie went back to the consent page, shortened like every secret in the report.
    const consentHop = run.all.find(
      (e) => e.type === 'http' && e.method === 'GET' && new URL(e.url).pathname === '/consent',
    );
    expect(consentHop?.type === 'http' ? consentHop.requestHeaders?.cookie : undefined).toMatch(/^sid=\w*…\w+$/);
    expect(run.stdout).not.toContain(PASSWORD);
    // The token answer had token_type "Bearer", an id_token and extra fields (RFC 6749 §5.1): all accepted.
    const finished = run.all.at(-1);
    const delivered = finished?.type === 'flow-finished' ? String(finished.result?.deliveredToken) : '';
    expect(server.issued.at(-1)?.slice(0, 6)).toBe(delivered.slice(0, 6));
  });

  it('ends at the login page without a login block, saying to use --browser or add one', async () => {
    const run = await connect(await profile(await sso()));
    expect(run.code).toBe(1);
    const [check] = failed(run.all);
    expect(check).toMatchObject({ step: 'authorize', check: 'the server approved without a person' });
    const actual = check?.type === 'check-failed' ? check.actual : '';
    expect(actual).toContain('run with --browser');
    expect(actual).toMatch(/add a \\?"login\\?" block/);
  });

  it('fails clearly when the server refuses the login', async () => {
    const run = await connect(await profile(await sso(), { login: LOGIN }), { ...ENV, SSO_PASSWORD: 'wrong-password' });
    expect(run.code).toBe(1);
    expect(failed(run.all)).toEqual([
      expect.objectContaining({ step: 'authorize', check: 'the server accepted the login' }),
    ]);
  });

  it('stops a redirect loop at the hop limit, naming the loop', async () => {
    const run = await connect(await profile(await sso({ loop: true }), { login: LOGIN }));
    expect(run.code).toBe(1);
    const [check] = failed(run.all);
    expect(check).toMatchObject({ step: 'authorize', check: 'the browser reached the callback within 20 hops' });
    expect(check?.type === 'check-failed' ? check.actual : '').toMatch(/loop\/a → .*loop\/b → .*loop\/a/);
    expect(run.all.filter((e) => e.type === 'http' && e.to === 'provider')).toHaveLength(20);
  });

  it('fails the redirect back when it is a 307, which would re-post the consent form (RFC 9700 §4.12)', async () => {
    const run = await connect(await profile(await sso({ backStatus: 307 }), { login: LOGIN }));
    expect(run.code).toBe(1);
    expect(failed(run.all)[0]).toMatchObject({
      check: 'the server sent the browser back with 302 or 303',
      actual: '307',
    });
  });

  it('is a usage error when a variable of the login block is not set', async () => {
    const run = await connect(await profile(await sso(), { login: LOGIN }), { ACME_SSO_SECRET: SECRET });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('environment variable "SSO_USER" of the "login" block is not set');
  });
});

describe('custom profiles: discovery and client_secret_basic', () => {
  it('finds the endpoints from the issuer alone, falling back to the OpenID document, and says which it used', async () => {
    const server = await sso({ discovery: ['openid-configuration'] });
    const path = await profile(server, {
      login: LOGIN,
      server: { authorizeUrl: undefined, tokenUrl: undefined, issuer: server.url },
    });
    const run = await connect(path);
    expect(failed(run.all)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.all).toContainEqual(
      expect.objectContaining({
        type: 'note',
        text: `endpoints discovered from ${server.url}/.well-known/openid-configuration`,
      }),
    );
    expect(server.seen).toContain('POST /token');
  });

  it('prefers the RFC 8414 document when the server has both', async () => {
    const server = await sso({ discovery: ['oauth-authorization-server', 'openid-configuration'] });
    const run = await connect(
      await profile(server, {
        login: LOGIN,
        server: { authorizeUrl: undefined, tokenUrl: undefined, issuer: server.url },
      }),
    );
    expect(run.code).toBe(0);
    expect(run.all).toContainEqual(
      expect.objectContaining({
        type: 'note',
        text: `endpoints discovered from ${server.url}/.well-known/oauth-authorization-server`,
      }),
    );
  });

  it('is a usage error naming both documents when the issuer publishes neither', async () => {
    const server = await sso();
    const run = await connect(
      await profile(server, { server: { authorizeUrl: undefined, tokenUrl: undefined, issuer: server.url } }),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no discovery document of issuer ${server.url} names its endpoints`);
    expect(run.stderr).toContain('/.well-known/openid-configuration: 404');
  });

  it('authenticates the client with HTTP Basic for a client_secret_basic profile', async () => {
    const server = await sso({ clientAuth: 'client_secret_basic' });
    const run = await connect(
      await profile(server, { login: LOGIN, token: { format: 'formQuery', clientAuth: 'basic' } }),
    );
    expect(failed(run.all)).toEqual([]);
    expect(run.code).toBe(0);
    const [request] = server.tokenRequests;
    expect(request?.authorization).toBe(`Basic ${Buffer.from(`acme-client:${SECRET}`).toString('base64')}`);
    expect(request?.body).not.toHaveProperty('client_secret');
  });
});

describe('signup --profile with a login block', () => {
  it('signs in at the server, which names the user, and the agent gets the login package', async () => {
    const server = await sso();
    const path = await profile(server, {
      login: LOGIN,
      supportsSignup: true,
      identity: {
        calls: [
          {
            path: '/userinfo',
            answer: {},
            read: { id: 'sub', username: 'preferred_username', fullName: 'name', email: ['email'] },
          },
        ],
        account: { id: 'u-1001', username: 'ada', fullName: 'Ada Lovelace', email: 'ada@acme.example' },
      },
    });
    const fake = createFakeDeps({ env: ENV });
    const code = await main(
      ['signup', '--profile', path, '--poll', '--interval', '20', '--envs', 'local', '--json'],
      fake.deps,
    );
    const all = events(fake.stdout());
    expect(failed(all)).toEqual([]);
    expect(code).toBe(0);
    expect(server.seen).toContain('GET /userinfo');
    expect(server.seen).toContain('POST /consent');
    expect(fake.stdout()).not.toContain(PASSWORD);
  });
});

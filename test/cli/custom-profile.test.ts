/**
 * Custom profiles (`connect --profile ./my.json`): a standards OAuth 2.0 server the lab does not mock. Here
 * "the real server" is one of our mock providers started on 127.0.0.1 with its own client, and the custom
 * profile only knows its absolute URLs; the secret comes from the environment variable the profile names.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { startMockProvider, type RunningProvider } from '../../src/mock-provider/index.js';
import { parseProfile } from '../../src/profiles/profile.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';

const SECRET = 'acme-sso-secret-value';
let server: RunningProvider;
let dir: string;
let profilePath: string;

beforeAll(async () => {
  // A plain RFC 6749 server: form-encoded exchange, client_secret_post, 400 errors, exact redirect_uri.
  const standard = parseProfile(
    {
      id: 'standard',
      displayName: 'Standard OAuth 2.0 server',
      realHost: '127.0.0.1',
      authorize: { path: '/oauth2/authorize', scopes: 'openid profile' },
      token: { path: '/oauth2/token', format: 'formQuery', expiresIn: 3600 },
    },
    'standard (test)',
  );
  // Registered without a port: RFC 8252 §7.3 lets the lab's router use whatever port the OS gives it.
  server = await startMockProvider({
    profile: standard,
    clients: [
      {
        clientId: 'acme-client',
        clientSecret: SECRET,
        redirectUris: ['http://127.0.0.1/no-auth/provider-token/acme_sso'],
      },
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'custom-profile-'));
  profilePath = join(dir, 'my-oauth.json');
  await writeFile(
    profilePath,
    JSON.stringify({
      id: 'acme_sso',
      displayName: 'Acme SSO',
      realHost: 'sso.acme.example',
      authorize: { scopes: 'openid profile' },
      token: { format: 'formQuery' },
      server: {
        authorizeUrl: `${server.url}/oauth2/authorize`,
        tokenUrl: `${server.url}/oauth2/token`,
        clientId: 'acme-client',
        clientSecretEnv: 'ACME_SSO_SECRET',
      },
    }),
  );
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.control.reset();
  server.control.setConsent('auto');
});

const events = (stdout: string): FlowEvent[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FlowEvent);

describe('connect --profile against a real OAuth 2.0 server on this machine', () => {
  it('completes the connect, starting no mock for it and skipping only the journal checks, with a note saying why', async () => {
    const fake = createFakeDeps({ env: { ACME_SSO_SECRET: SECRET } });
    const code = await main(['connect', '--profile', profilePath, '--envs', 'local', '--json'], fake.deps);
    expect(fake.stderr()).toBe('');
    expect(code).toBe(0);
    const all = events(fake.stdout());
    expect(all.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    expect(all.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(all.some((e) => e.type === 'note' && e.text.startsWith('no journal: Acme SSO is a real server'))).toBe(true);
    // The server (which we can look into here) got the exchange with the secret read from the environment.
    const exchange = server.control.requests.find((r) => r.endpoint === 'token');
    expect(exchange?.body).toMatchObject({
      client_id: 'acme-client',
      client_secret: SECRET,
      grant_type: 'authorization_code',
    });
    const finished = all.at(-1);
    const delivered = finished?.type === 'flow-finished' ? String(finished.result?.deliveredToken) : '';
    expect(server.control.issued.at(-1)?.accessToken.slice(0, 6)).toBe(delivered.slice(0, 6));
  });

  it('fails the authorize step, naming it, when the server shows a page instead of approving', async () => {
    server.control.setConsent('page');
    const fake = createFakeDeps({ env: { ACME_SSO_SECRET: SECRET } });
    expect(await main(['connect', '--profile', profilePath, '--envs', 'local', '--json'], fake.deps)).toBe(1);
    expect(events(fake.stdout()).find((e) => e.type === 'check-failed')).toMatchObject({
      step: 'authorize',
      check: 'the server approved without a person',
    });
  });

  it.each([
    [
      'the secret variable is not set',
      ['connect', '--profile', 'PATH'],
      {},
      'environment variable "ACME_SSO_SECRET" is not set',
    ],
    [
      "a provider argument that is not the profile's id",
      ['connect', 'github', '--profile', 'PATH'],
      { ACME_SSO_SECRET: SECRET },
      'provider "github" is not the id of --profile',
    ],
    ['neither a provider nor a profile', ['connect'], {}, 'missing argument "provider"'],
  ])('is a usage error (exit 2) when %s', async (_name, argv, env, message) => {
    const fake = createFakeDeps({ env });
    expect(
      await main(
        argv.map((a) => (a === 'PATH' ? profilePath : a)),
        fake.deps,
      ),
    ).toBe(2);
    expect(fake.stderr()).toContain(message);
  });

  it('signs up with --profile against a real server that has identity endpoints, polling check-signup', async () => {
    const github = (await labData()).profiles.get('github')!;
    const real = await startMockProvider({
      profile: github,
      clients: [
        {
          clientId: 'gh-sandbox',
          clientSecret: SECRET,
          redirectUris: ['http://127.0.0.1/no-auth/provider-token/gh_sandbox'],
        },
      ],
    });
    try {
      const path = join(dir, 'gh-sandbox.json');
      await writeFile(
        path,
        JSON.stringify({
          id: 'gh_sandbox',
          displayName: 'GitHub sandbox',
          realHost: 'github.sandbox.example',
          supportsSignup: true,
          authorize: { scopes: 'read:user,user:email' },
          token: { format: 'query', sendGrantType: false },
          identity: github.identity,
          server: {
            authorizeUrl: `${real.url}/login/oauth/authorize`,
            tokenUrl: `${real.url}/login/oauth/access_token`,
            clientId: 'gh-sandbox',
            clientSecretEnv: 'ACME_SSO_SECRET',
          },
        }),
      );
      const fake = createFakeDeps({ env: { ACME_SSO_SECRET: SECRET } });
      const code = await main(
        ['signup', '--profile', path, '--poll', '--interval', '20', '--envs', 'local', '--json'],
        fake.deps,
      );
      const all = events(fake.stdout());
      expect(all.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(code).toBe(0);
      expect(all.some((e) => e.type === 'note' && e.text.startsWith('no journal: GitHub sandbox'))).toBe(true);
      expect(real.control.requests.filter((r) => r.endpoint === 'identity').length).toBeGreaterThan(0);
    } finally {
      await real.close();
    }
  });

  it('refuses a profile without a server block, naming the file', async () => {
    const path = join(dir, 'no-server.json');
    await writeFile(
      path,
      JSON.stringify({
        id: 'x',
        displayName: 'X',
        realHost: 'x',
        authorize: { path: '/a' },
        token: { path: '/t', format: 'json' },
      }),
    );
    const fake = createFakeDeps();
    expect(await main(['connect', '--profile', path], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain(`profile ${path} has no "server" block`);
  });
});

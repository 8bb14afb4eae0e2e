/**
 * Nothing secret leaves the CLI without --show-secrets (issue 16, item 1): every command, for every provider it
 * takes, plain and --json, with the report files, scanned for the tokens the run's own mock providers issued,
 * the client secrets of the lab, the CS session tokens and any whole JWT.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { GrantStore, type IssuedToken } from '../../src/mock-provider/grants.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';

const { config, profiles } = await labData();
const all = [...profiles.values()];
const ids = (pick: (p: (typeof all)[number]) => boolean): string[] => all.filter(pick).map((p) => p.id);

// The tokens the mock providers issue during a run, read from the lab's own grant stores (kept by reference, so
// an OAuth 1.0a token secret set after the issue is seen too).
const issued: IssuedToken[] = [];
// eslint-disable-next-line @typescript-eslint/unbound-method -- called with the store as `this` below
const originalIssue = GrantStore.prototype.issueToken;
vi.spyOn(GrantStore.prototype, 'issueToken').mockImplementation(function (
  this: GrantStore,
  ...args: Parameters<GrantStore['issueToken']>
) {
  const token = originalIssue.apply(this, args);
  issued.push(token);
  return token;
});

// Secrets the lab holds from the start: client secrets (fixtures/lab.json clients and team hosts), signing
// secrets, the seeded CS session tokens.
const labSecrets: string[] = [
  ...Object.values(config.clients).map((c) => c.clientSecret),
  ...config.teams.flatMap((t) =>
    Object.values(t.providerHosts).flatMap((hosts) =>
      Object.values(hosts).map((h) => (h as { appClientSecret?: unknown }).appClientSecret),
    ),
  ),
  ...config.environments.flatMap((e) => Object.values(e.integrations.slack?.signingSecretsByAppIds ?? {})),
  ...config.users.flatMap((u) => [u.accessToken, u.broadcasterToken]),
].filter((s): s is string => typeof s === 'string' && s.length >= 8);

// Whole JWTs (a shortened one has no dots) and the session tokens the API mints for new users.
const PATTERNS = [/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/g, /cs-token-[0-9a-f]{32}/g];

/** Every secret (with where it was found) that appears whole in the text. */
export function findLeaks(text: string, secrets: readonly string[]): string[] {
  const found = secrets.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
  for (const pattern of PATTERNS) found.push(...(text.match(pattern) ?? []));
  return [...new Set(found)];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-leaks-'));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI; returns everything it printed or wrote, and the secrets it could have leaked. */
async function scan(argv: string[]): Promise<{ code: number; output: string; secrets: string[] }> {
  issued.length = 0;
  const fake = createFakeDeps();
  const har = join(dir, 'run.har');
  const diagram = join(dir, 'run.mmd');
  const reports = argv[0] === 'smoke' || argv[0] === 'decode-state' ? [] : ['--har', har, '--diagram', diagram];
  await rm(har, { force: true });
  await rm(diagram, { force: true });
  const code = await main([...argv, ...reports], fake.deps);
  const files = await Promise.all(
    reports.filter((_, i) => i % 2 === 1).map((f) => readFile(f, 'utf8').catch(() => '')),
  );
  const tokens = issued.flatMap((t) => [t.accessToken, t.refreshToken, t.serverToken, t.tokenSecret]);
  const secrets = [...labSecrets, ...tokens.filter((s): s is string => s !== undefined)];
  return { code, output: [fake.stdout(), fake.stderr(), ...files].join('\n'), secrets };
}

const runs: string[][] = [
  ...ids(() => true).flatMap((p) => [
    ['connect', p],
    ['connect', p, '--json'],
    ['disconnect', p, '--envs', 'local'],
  ]),
  ...ids((p) => p.supportsSignup && p.identity !== undefined).flatMap((p) => [
    ['signup', p, '--poll', '--interval', '20', '--envs', 'local'],
    ['signup', p, '--poll', '--interval', '20', '--envs', 'local', '--json'],
  ]),
  ...ids((p) => p.supportsRefresh && p.token !== undefined).map((p) => ['refresh', p, '--envs', 'local', '--json']),
  ['interact', 'slack'],
  ['interact', 'msteams', '--json'],
  ['smoke', '--providers', 'trello,youtrack,jira', '--scenarios', 'none', '--reporter', 'json'],
  ['decode-state', 'local!eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsInN0IjoieCJ9.c2lnbmF0dXJlLXBhcnQtbG9uZ2VyLXRoYW4tMjA'],
];

describe('no secret in any output without --show-secrets', () => {
  it.for(runs.map((argv) => [argv.join(' '), argv] as const))('codestream-auth %s', async ([, argv]) => {
    const { code, output, secrets } = await scan(argv);
    expect(findLeaks(output, secrets)).toEqual([]);
    expect(code).toBeLessThan(2);
  });

  // The scan can fail: with --show-secrets the same runs print what the scan looks for.
  it.for([
    ['connect trello', ['connect', 'trello']],
    ['connect youtrack --json', ['connect', 'youtrack', '--json']],
    ['connect github --json', ['connect', 'github', '--json']],
  ] as const)('finds the token that codestream-auth %s --show-secrets prints', async ([, argv]) => {
    const { output, secrets } = await scan([...argv, '--show-secrets']);
    expect(issued.length).toBeGreaterThan(0);
    expect(findLeaks(output, secrets)).not.toEqual([]);
  });
});

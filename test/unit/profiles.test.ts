/** The profile schema: a bad profile is refused with the file and the field named (PROFILE_INVALID). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../src/util/paths.js';
import { loadProfileFile, parseProfile } from '../../src/profiles/profile.js';

const github = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(fixturesDir, 'providers', 'github.json'), 'utf8')) as Record<string, unknown>;
const withField = (obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> => {
  const copy = structuredClone(obj);
  const keys = path.split('.');
  let cur = copy;
  for (const key of keys.slice(0, -1)) cur = (cur[key] ??= {}) as Record<string, unknown>;
  if (value === undefined) delete cur[keys.at(-1)!];
  else cur[keys.at(-1)!] = value;
  return copy;
};

describe('parseProfile names the file and the field', () => {
  it.each([
    ['an exchange format that does not exist', 'token.format', 'xml', 'token.format'],
    ['an unknown client authentication', 'token.clientAuth', 'mtls', 'token.clientAuth'],
    ['a path without a leading slash', 'authorize.path', 'login/oauth/authorize', 'authorize.path'],
    ['an id with upper case', 'id', 'GitHub', 'id'],
    ["a code lifetime over RFC 6749's 10 minutes", 'rules.codeLifetimeSeconds', 601, 'rules.codeLifetimeSeconds'],
    ['a redirect match mode that is not named', 'rules.redirectUriMatch', 'regex', 'rules.redirectUriMatch'],
    ['no token block for a code provider', 'token', undefined, 'token'],
    ['a token block for a fragment provider', 'delivery', { mode: 'fragment', tokenField: 'token' }, 'token'],
    ['multiple storage without sharing', 'storage', { multipleKey: 'team_id' }, 'storage.multipleKey'],
    [
      'requestServerToken without server-token parameters',
      'agent',
      { requestServerToken: true },
      'agent.requestServerToken',
    ],
    ['a token endpoint on an API host that is not named', 'token.onApiHost', true, 'realApiHost'],
    [
      'a custom server whose secret variable is not a variable name',
      'server',
      {
        authorizeUrl: 'https://a.example/authorize',
        tokenUrl: 'https://a.example/token',
        clientId: 'c',
        clientSecretEnv: 'MY SECRET',
      },
      'server.clientSecretEnv',
    ],
  ])('refuses %s', async (_name, path, value, field) => {
    const source = '/tmp/providers/github.json';
    let thrown: unknown;
    try {
      parseProfile(withField(await github(), path, value), source);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'PROFILE_INVALID', detail: { source, field } });
    expect((thrown as Error).message).toBe(
      `profile ${source}: field "${field}" ${(thrown as { detail: { issues: Array<{ message: string }> } }).detail.issues[0]?.message}`,
    );
  });

  it('refuses a catalogue file whose name is not its id, and a file that is not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'profiles-'));
    await writeFile(join(dir, 'gh.json'), JSON.stringify(await github()));
    await expect(loadProfileFile(join(dir, 'gh.json'))).rejects.toMatchObject({
      code: 'PROFILE_INVALID',
      message: expect.stringContaining('field "id" is "github", expected "gh"'),
    });
    await expect(loadProfileFile(join(dir, 'gh.json'), { idFromName: false })).resolves.toMatchObject({ id: 'github' });
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await expect(loadProfileFile(join(dir, 'bad.json'))).rejects.toMatchObject({
      code: 'PROFILE_INVALID',
      message: expect.stringContaining('bad.json'),
    });
  });

  it("fills the defaults every consumer reads, and reads a custom server's paths from its URLs", async () => {
    const p = parseProfile(await github(), 'github.json');
    expect(p).toMatchObject({
      restrictive: false,
      enterprise: false,
      delivery: { mode: 'code' },
      agent: { sharing: false },
      rules: { redirectUriMatch: 'exact', codeLifetimeSeconds: 600 },
    });
    expect(p.token).toMatchObject({
      grantType: 'authorization_code',
      refresh: { parameter: 'refresh_token', rotate: false },
      errorShape: 'oauth',
    });
    const custom = parseProfile(
      withField(withField(withField(await github(), 'authorize.path', undefined), 'token.path', undefined), 'server', {
        authorizeUrl: 'https://sso.example/oauth/authorize?x=1',
        tokenUrl: 'https://api.example/oauth/token',
        clientId: 'c',
        clientSecretEnv: 'SSO_SECRET',
      }),
      'custom.json',
    );
    expect([custom.authorize.path, custom.token?.path]).toEqual(['/oauth/authorize', '/oauth/token']);
  });
});

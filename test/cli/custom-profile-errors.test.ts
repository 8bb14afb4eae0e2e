/** Loading a custom profile file (issue 16, item 4): not found vs bad JSON with its place, conflicts, the template. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { PROFILE_TEMPLATE } from '../../src/commands/init-profile.js';
import { readCustomProfile } from '../../src/profiles/custom-file.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[], env: Record<string, string> = {}) {
  const fake = createFakeDeps({ env });
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-profile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('connect --profile with a file that is not a usable profile', () => {
  it('says "not found" for a missing file, and how to make one (exit 2)', async () => {
    const res = await run(['connect', '--profile', join(dir, 'nope.json')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`error: profile file ${join(dir, 'nope.json')} not found`);
    expect(res.stderr).toContain('codestream-auth init-profile');
  });

  it('names the line and column of a JSON syntax error (exit 1)', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{\n  "id": "x",\n  "displayName": "X",\n}\n');
    const res = await run(['connect', '--profile', path]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`error: profile .*broken\\.json is not valid JSON at line 4, column 1`));
    expect(res.stderr).not.toContain('not found');
  });

  it.each([
    ['authorize', { authorize: { path: '/oauth/authorize' } }, 'server.authorizeUrl and authorize.path'],
    ['token', { token: { format: 'formQuery', path: '/oauth/token' } }, 'server.tokenUrl and token.path'],
  ])('refuses a profile that gives the %s endpoint twice (exit 2)', async (_name, extra, both) => {
    const path = join(dir, `twice-${_name}.json`);
    await writeFile(path, JSON.stringify({ ...PROFILE_TEMPLATE, ...extra }));
    const res = await run(['connect', '--profile', path], { MY_OAUTH_SECRET: 's' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`has both ${both}`);
  });
});

describe('codestream-auth init-profile', () => {
  it('writes a commented template that loads as a custom profile', async () => {
    const path = join(dir, 'new', 'my-oauth.json');
    const res = await run(['init-profile', path]);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(`wrote ${path}`);
    const text = await readFile(path, 'utf8');
    expect(text).toContain('"$comment"');
    const profile = await readCustomProfile(path);
    expect(profile).toMatchObject({ id: 'my_oauth', server: { clientSecretEnv: 'MY_OAUTH_SECRET' } });
  });

  it('refuses to overwrite a file unless --force (exit 2)', async () => {
    const path = join(dir, 'taken.json');
    await writeFile(path, 'mine');
    expect((await run(['init-profile', path])).code).toBe(2);
    expect(await readFile(path, 'utf8')).toBe('mine');
    expect((await run(['init-profile', path, '--force'])).code).toBe(0);
    expect(await readFile(path, 'utf8')).toContain('my_oauth');
  });
});

/**
 * The build's validated copy of the fixtures (src/lab/fixture-snapshot.ts): exactly what zod returns, and used only
 * while every fixture file, every validating module and zod's version are the ones the snapshot was made from.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLabConfig } from '../../src/lab/config.js';
import { readFixtureSnapshot, writeFixtureSnapshot } from '../../src/lab/fixture-snapshot.js';
import { loadProfiles } from '../../src/profiles/profile.js';
import { fixturesDir } from '../../src/util/paths.js';

const srcDir = fileURLToPath(new URL('../../src', import.meta.url));

let dir: string;
let at: { snapshot: string; fixtures: string; codeRoot: string };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fixture-snapshot-'));
  // Copies, so that a test can change a fixture or a validating module after the snapshot was written.
  await cp(fixturesDir, join(dir, 'fixtures'), { recursive: true });
  await cp(srcDir, join(dir, 'src'), { recursive: true });
  at = { snapshot: join(dir, 'snapshot.json'), fixtures: join(dir, 'fixtures'), codeRoot: join(dir, 'src') };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a fresh snapshot', () => {
  it('gives exactly the lab config and the profiles zod gives, the profiles in the order they load', async () => {
    await writeFixtureSnapshot(at);
    const read = await readFixtureSnapshot(at);
    const [config, profiles] = await Promise.all([
      loadLabConfig(join(at.fixtures, 'lab.json')),
      loadProfiles(join(at.fixtures, 'providers')),
    ]);
    expect(read?.config).toStrictEqual(config);
    expect(read?.profiles).toStrictEqual(profiles);
    expect([...(read?.profiles.keys() ?? [])]).toEqual([...profiles.keys()]);
  });

  it('records every module of the validating code, the imported schema parts too', async () => {
    await writeFixtureSnapshot(at);
    const snapshot = JSON.parse(await readFile(at.snapshot, 'utf8')) as { code: Record<string, string> };
    expect(Object.keys(snapshot.code)).toEqual(
      expect.arrayContaining([
        'lab/config.ts',
        'profiles/profile.ts',
        'profiles/parts.ts',
        'profiles/identity.ts',
        'profiles/login.ts',
        'profiles/sharing-schema.ts',
      ]),
    );
  });
});

describe('the snapshot is not used', () => {
  it('when a provider profile changed after it was written', async () => {
    await writeFixtureSnapshot(at);
    const file = join(at.fixtures, 'providers', 'github.json');
    const github = JSON.parse(await readFile(file, 'utf8')) as { displayName?: string };
    await writeFile(file, JSON.stringify({ ...github, displayName: 'GitHub (edited)' }));
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });

  it('when the lab config changed', async () => {
    await writeFixtureSnapshot(at);
    const file = join(at.fixtures, 'lab.json');
    await writeFile(file, `${await readFile(file, 'utf8')}\n`);
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });

  it('when a provider file was added', async () => {
    await writeFixtureSnapshot(at);
    await cp(join(at.fixtures, 'providers', 'github.json'), join(at.fixtures, 'providers', 'github2.json'));
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });

  it('when a module the schemas import changed (a default could differ)', async () => {
    await writeFixtureSnapshot(at);
    const file = join(at.codeRoot, 'profiles', 'parts.ts');
    await writeFile(file, `${await readFile(file, 'utf8')}// edited\n`);
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });

  it('when it was made with another zod', async () => {
    await writeFixtureSnapshot(at);
    const snapshot = JSON.parse(await readFile(at.snapshot, 'utf8')) as { zod: string };
    await writeFile(at.snapshot, JSON.stringify({ ...snapshot, zod: '0.0.1' }));
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });

  it('when there is none, or it is not one', async () => {
    expect(await readFixtureSnapshot(at)).toBeUndefined();
    await writeFile(at.snapshot, '{"format": 1, "zod": ');
    expect(await readFixtureSnapshot(at)).toBeUndefined();
  });
});

it('is not written for fixtures zod refuses, and an old one is removed', async () => {
  await writeFixtureSnapshot(at);
  const file = join(at.fixtures, 'providers', 'github.json');
  const github = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...github, id: 'GitHub' }));
  await expect(writeFixtureSnapshot(at)).rejects.toMatchObject({ code: 'PROFILE_INVALID' });
  await expect(readFile(at.snapshot, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
});

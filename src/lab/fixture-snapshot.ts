/**
 * The shipped fixtures (fixtures/lab.json, fixtures/providers/*.json) as the build validated them, so that a cold
 * CLI run need not load zod (95 modules), build the schemas and check files that have not changed since: about a
 * third of a cold `connect` before this. `npm run build` writes dist/fixture-snapshot.json (scripts/
 * fixture-snapshot.js); a run uses it only when every fixture file and every module of the validating code
 * (and zod's version) is byte-identical to what the build saw, by sha-256. Otherwise (an edited fixture, a rebuilt
 * schema, no snapshot, or code run from src/ under vitest, where no snapshot is ever written) the caller
 * validates the files as before, so errors and results are the ones zod gives.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProviderProfile } from '../profiles/profile.js';
import { isJsonObject, parseJson } from '../util/json.js';
import { fixturesDir } from '../util/paths.js';
import type { LabConfig } from './config.js';

export interface SnapshotLocations {
  /** The snapshot file; default: fixture-snapshot.json at the root of the code running (dist/ when built). */
  snapshot?: string;
  /** The fixtures folder (lab.json and providers/). */
  fixtures?: string;
  /** The folder the validating modules are read from; default: the root of the code running. */
  codeRoot?: string;
}

export interface ValidatedFixtures {
  config: LabConfig;
  profiles: Map<string, ProviderProfile>;
}

const codeRootOfThisModule = fileURLToPath(new URL('..', import.meta.url));
// The modules whose code decides what validation returns; the files they import are found from them.
const VALIDATORS = ['lab/config', 'profiles/profile'];
const FORMAT = 1;

interface Snapshot {
  format: number;
  zod: string;
  /** Path (from the code root) → sha-256 of every validating module. */
  code: Record<string, string>;
  /** Path (from the fixtures folder) → sha-256 of every fixture file, the providers in the order they load. */
  fixtures: Record<string, string>;
  config: unknown;
  profiles: unknown[];
}

/** The validated fixtures when the snapshot matches the files and the code exactly; undefined otherwise. */
export async function readFixtureSnapshot(at: SnapshotLocations = {}): Promise<ValidatedFixtures | undefined> {
  const { snapshot: path, fixtures, codeRoot } = locations(at);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  // Written by the build, not by a user; a file of another shape is simply not used.
  const snapshot = parseJson(text);
  if (!isSnapshot(snapshot) || snapshot.format !== FORMAT) return undefined;
  try {
    const [zod, code, files] = await Promise.all([
      zodVersion(),
      hashFiles(codeRoot, Object.keys(snapshot.code)),
      fixtureFiles(fixtures).then((names) => hashFiles(fixtures, names)),
    ]);
    if (zod !== snapshot.zod || !sameHashes(code, snapshot.code) || !sameHashes(files, snapshot.fixtures))
      return undefined;
  } catch {
    return undefined; // a file vanished or cannot be read: validation will say what is wrong
  }
  // Trusted: the build wrote these values from zod's output, and every input they came from is unchanged.
  const profiles = snapshot.profiles as ProviderProfile[];
  return { config: snapshot.config as LabConfig, profiles: new Map(profiles.map((p) => [p.id, p])) };
}

/** Validates the fixtures (with zod) and writes the snapshot; on a validation error, removes any old one and throws. */
export async function writeFixtureSnapshot(at: SnapshotLocations = {}): Promise<string> {
  const { snapshot: path, fixtures, codeRoot } = locations(at);
  await rm(path, { force: true });
  const [{ loadLabConfig }, { loadProfiles }] = await Promise.all([
    import('./config.js'),
    import('../profiles/profile.js'),
  ]);
  const [config, profiles] = await Promise.all([
    loadLabConfig(join(fixtures, 'lab.json')),
    loadProfiles(join(fixtures, 'providers')),
  ]);
  const modules = await moduleClosure(codeRoot, VALIDATORS);
  const [zod, code, files] = await Promise.all([
    zodVersion(),
    hashFiles(codeRoot, modules),
    fixtureFiles(fixtures).then((names) => hashFiles(fixtures, names)),
  ]);
  const snapshot: Snapshot = { format: FORMAT, zod, code, fixtures: files, config, profiles: [...profiles.values()] };
  await writeFile(path, JSON.stringify(snapshot));
  return path;
}

function locations(at: SnapshotLocations): Required<SnapshotLocations> {
  const codeRoot = at.codeRoot ?? codeRootOfThisModule;
  return {
    codeRoot,
    snapshot: at.snapshot ?? join(codeRootOfThisModule, 'fixture-snapshot.json'),
    fixtures: at.fixtures ?? fixturesDir,
  };
}

function isSnapshot(value: unknown): value is Snapshot {
  return (
    isJsonObject(value) &&
    typeof value.zod === 'string' &&
    isJsonObject(value.code) &&
    isJsonObject(value.fixtures) &&
    Array.isArray(value.profiles)
  );
}

// lab.json and the provider files in the order loadProfiles reads them.
async function fixtureFiles(fixtures: string): Promise<string[]> {
  const providers = (await readdir(join(fixtures, 'providers'))).filter((f) => f.endsWith('.json')).sort();
  return ['lab.json', ...providers.map((f) => `providers/${f}`)];
}

async function hashFiles(root: string, names: readonly string[]): Promise<Record<string, string>> {
  const hashes = await Promise.all(
    names.map(async (name) =>
      createHash('sha256')
        .update(await readFile(join(root, name)))
        .digest('hex'),
    ),
  );
  return Object.fromEntries(names.map((name, i) => [name, hashes[i] ?? '']));
}

function sameHashes(actual: Record<string, string>, recorded: Record<string, unknown>): boolean {
  const names = Object.keys(actual);
  return (
    names.length === Object.keys(recorded).length &&
    names.every((name) => Object.hasOwn(recorded, name) && recorded[name] === actual[name])
  );
}

async function zodVersion(): Promise<string> {
  const pkg = parseJson(await readFile(createRequire(import.meta.url).resolve('zod/package.json'), 'utf8'));
  return isJsonObject(pkg) && typeof pkg.version === 'string' ? pkg.version : '';
}

// The validators and every module of the code root they import, by following relative import specifiers. The
// code is tsc's output (./x.js) or, under vitest, the TypeScript it comes from (./x.js naming ./x.ts).
async function moduleClosure(root: string, entries: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const pending = entries.map((entry) => sourceFile(root, `${entry}.js`));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (found.has(file)) continue;
    found.add(file);
    const text = await readFile(join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = posix.join(posix.dirname(file), match[1] ?? '');
      if (!target.startsWith('..')) pending.push(sourceFile(root, target));
    }
  }
  return [...found].sort();
}

function sourceFile(root: string, file: string): string {
  const ts = file.replace(/\.js$/, '.ts');
  return existsSync(join(root, file)) || !existsSync(join(root, ts)) ? file : ts;
}

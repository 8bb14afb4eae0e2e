/**
 * The built CLI as a user runs it: `node bin/codestream-auth.js …` in a child process, with pipes (not a TTY).
 * `npm test` builds dist/ first (the `pretest` script); run `npm run build` before running this file alone.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const BIN = join(packageRoot, 'bin', 'codestream-auth.js');
const BUILT = join(packageRoot, 'dist', 'cli.js');
const FULL_GITHUB_TOKEN = /gho_[0-9a-f]{40}/g;
const FULL_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/;
// Unloaded, each run takes well under a second (`npm run bench` measures it); on a saturated CI box four node
// processes can take several, so this limit only turns a hang into a failure.
const SLOW_MACHINE_MS = 20_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time as the parent saw it, spawn to exit. */
  ms: number;
}

/** Runs the built bin; never rejects, so a failing exit code shows up in the assertion that checks it. */
function runBin(args: string[]): Promise<Run> {
  // Plain output must not depend on the terminal or colour settings of whoever runs the tests.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const nodeArgs = [BIN, ...args];
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      nodeArgs,
      { cwd: packageRoot, env, timeout: SLOW_MACHINE_MS },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr, ms: performance.now() - started });
      },
    );
  });
}

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
    });
}

let json: Run;
let stepTitles: string[];
beforeAll(async () => {
  if (!existsSync(BUILT))
    throw new Error(`${BUILT} is missing: run "npm run build" first (npm test does it in "pretest")`);
  // The titles of the build under test, not of src/, which may be newer than dist/ when this file runs alone.
  const built = (await import(pathToFileURL(join(packageRoot, 'dist', 'flows', 'connect', 'steps.js')).href)) as {
    connectSteps: ReadonlyArray<{ title: string; applies?: unknown }>;
  };
  // Steps with `applies` are taken by some profiles only (the fragment hop); github takes every other one.
  stepTitles = built.connectSteps.filter((s) => s.applies === undefined).map((s) => s.title);
  json = await runBin(['connect', 'github', '--json']);
}, SLOW_MACHINE_MS + 1000);

describe('codestream-auth connect github --json (the built bin)', () => {
  it('exits 0 with NDJSON on stdout ending in flow-finished ok, the token delivered', () => {
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const events = parseLines(json.stdout);
    expect(events[0]).toMatchObject({ type: 'flow-started' });
    expect(events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    expect(events.filter((e) => e.type === 'check-failed')).toEqual([]);
  });

  it('shortens every token and JWT (no --show-secrets)', () => {
    expect(json.stdout.match(FULL_GITHUB_TOKEN)).toBeNull();
    expect(json.stdout).not.toMatch(FULL_JWT);
    expect(json.stdout).not.toContain('cs-github-secret');
    const last = parseLines(json.stdout).at(-1) as { result: { issuedToken: string } };
    expect(last.result.issuedToken).toMatch(/^gho_\w{2}…\w{4}$/);
  });
});

describe.concurrent('other runs of the built bin', { timeout: SLOW_MACHINE_MS + 1000 }, () => {
  it('prints the full issued token, equal to the delivered one, with --show-secrets', async () => {
    const run = await runBin(['connect', 'github', '--json', '--show-secrets']);
    expect(run.code).toBe(0);
    const last = parseLines(run.stdout).at(-1) as {
      ok: boolean;
      result: { issuedToken: string; deliveredToken: string };
    };
    expect(last.ok).toBe(true);
    expect(last.result.issuedToken).toMatch(/^gho_[0-9a-f]{40}$/);
    expect(last.result.deliveredToken).toBe(last.result.issuedToken);
    // the token the broadcast step checked is the same one, in full
    expect([...new Set(run.stdout.match(FULL_GITHUB_TOKEN))]).toEqual([last.result.issuedToken]);
  });

  it('exits 2 for an unknown provider and lists the known ones on stderr', async () => {
    const run = await runBin(['connect', 'nosuch']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: unknown provider "nosuch"$/m);
    expect(run.stderr).toMatch(/^hint: Known providers: .*\bgithub\b/m);
  });

  it('prints every step title as plain lines on stderr when not on a TTY, nothing on stdout', async () => {
    const run = await runBin(['connect', 'github']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(stepTitles.length).toBeGreaterThan(5);
    for (const title of stepTitles) expect(run.stderr).toContain(title);
    expect(run.stderr).not.toContain('\x1b['); // no ANSI colour or spinner escapes
    expect(run.stderr.match(FULL_GITHUB_TOKEN)).toBeNull();
    expect(run.stderr).toMatch(/^connect github: ok in \d+ ms$/m);
  });
});

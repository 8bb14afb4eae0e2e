/**
 * What a cold CLI process loads (issue 14: `connect github` ≤ 300 ms, `--help` ≤ 150 ms; `npm run bench` measures
 * the times, never a test): a plain connect leaves out the modules only other options use, and `--help` loads no
 * command. The ES modules are seen through a resolve hook. `npm test` builds dist/ (and its fixture snapshot) first;
 * run `npm run build` before running this file alone.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const BIN = join(packageRoot, 'bin', 'codestream-auth.js');
// Only turns a hang into a failure.
const SLOW_MACHINE_MS = 20_000;

let hookDir: string;

beforeAll(async () => {
  hookDir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  await writeFile(
    join(hookDir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  process.stderr.write('LOADED ' + result.url + '\\n');
  return result;
}\n`,
  );
  await writeFile(
    join(hookDir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
  );
});

afterAll(async () => {
  await rm(hookDir, { recursive: true, force: true });
});

/** The exit code and the URLs of the modules the run resolved. */
function loadedBy(args: string[]): Promise<{ code: number; urls: string[]; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', join(hookDir, 'register.mjs'), BIN, ...args],
      { cwd: packageRoot, env, timeout: SLOW_MACHINE_MS },
      (error, _stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        const urls = stderr
          .split('\n')
          .filter((line) => line.startsWith('LOADED '))
          .map((line) => line.slice('LOADED '.length));
        resolve({ code, urls: [...new Set(urls)], stderr });
      },
    );
  });
}

const packageOf = (url: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
const distModule = (url: string): string | undefined => /\/dist\/(.+)\.js$/.exec(url)?.[1];

it('a plain connect loads no zod, no spinner, no browser opener, no cookie jar, no HTML parser, no jose index', async () => {
  const run = await loadedBy(['connect', 'github', '--quiet']);
  expect(run.code, run.stderr).toBe(0);
  const packages = new Set(run.urls.map(packageOf));
  // The hook sees the run: the command and the packages the lab needs are there.
  expect(run.urls.map(distModule)).toContain('commands/connect');
  expect(packages).toContain('express');
  // fixtures: dist/fixture-snapshot.json (npm run build); renderer: plain (not a terminal); the rest: other options.
  for (const unwanted of ['zod', 'ora', 'string-width', 'open', 'tough-cookie', 'htmlparser2'])
    expect([...packages], unwanted).not.toContain(unwanted);
  expect(run.urls.filter((u) => u.endsWith('/jose/dist/webapi/index.js'))).toEqual([]);
  // The scenario catalogue, the remote flows and the report writers run only with their options.
  const modules = run.urls.map(distModule);
  for (const unwanted of ['flows/scenarios/index', 'flows/remote/run', 'render/har', 'render/mermaid', 'render/tty'])
    expect(modules, unwanted).not.toContain(unwanted);
});

it('--help loads no command, flow, mock or lab module', async () => {
  const run = await loadedBy(['--help']);
  expect(run.code, run.stderr).toBe(0);
  const modules = run.urls.map(distModule).filter((m) => m !== undefined);
  expect(modules).toContain('cli');
  expect(
    modules.filter((m) =>
      /^(flows|mock-|lab|agent-sim|render|profiles)|^commands\/(?!index|support\/help-text)/.test(m),
    ),
  ).toEqual([]);
  expect(run.urls.map(packageOf).filter((p) => p !== undefined && p !== 'commander')).toEqual([]);
});

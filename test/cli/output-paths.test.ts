/** Output files are checked before any work (issue 16, items 2 and 3): folders made, bad paths exit 2 at once. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const fake = createFakeDeps();
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-out-'));
  file = join(dir, 'a-file');
  await writeFile(file, 'x');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SMALL_SMOKE = ['smoke', '--providers', 'github', '--flows', 'connect', '--envs', 'local', '--scenarios', 'none'];

describe('output paths', () => {
  it('creates the missing folders of --har and --diagram and writes them', async () => {
    const har = join(dir, 'new', 'deeper', 'x.har');
    const diagram = join(dir, 'other', 'x.mmd');
    const res = await run(['connect', 'github', '--har', har, '--diagram', diagram]);
    expect(res.code).toBe(0);
    expect(existsSync(har) && existsSync(diagram)).toBe(true);
  });

  it.each([
    ['connect', ['connect', 'github', '--har', '{file}/x.har'], '--har'],
    ['connect', ['connect', 'github', '--diagram', '{dir}'], '--diagram'],
    ['signup', ['signup', 'github', '--poll', '--har', '{file}/x.har'], '--har'],
    ['disconnect', ['disconnect', 'github', '--diagram', '{file}/x.mmd'], '--diagram'],
    ['interact', ['interact', 'slack', '--har', '{file}/sub/x.har'], '--har'],
    ['smoke', [...SMALL_SMOKE, '--reporter', 'junit', '--out', '{file}/x.xml'], '--out'],
    ['smoke', [...SMALL_SMOKE, '--summary', '{file}/s.md'], '--summary'],
  ])('%s refuses an unwritable %s path with exit 2 before any work', async (_name, argv, flag) => {
    const res = await run(argv.map((a) => a.replace('{file}', file).replace('{dir}', dir)));
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^error: ${flag} ".*" (cannot be created|is a folder)`, 'm'));
    // Nothing ran: no step, no cell, no report.
    expect(res.stderr).not.toMatch(/✔|✖|passed|ok in/);
    expect(res.stdout).toBe('');
  });

  it('skips an empty --summary (an unset $GITHUB_STEP_SUMMARY) with a note, and runs', async () => {
    const out = join(dir, 'ci', 'smoke.xml');
    const res = await run([...SMALL_SMOKE, '--reporter', 'junit', '--out', out, '--summary', '']);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('note: --summary is empty');
    expect(res.stderr).not.toContain('cannot append');
    expect(existsSync(out)).toBe(true);
  });
});

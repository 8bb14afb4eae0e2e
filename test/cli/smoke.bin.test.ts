/**
 * The default smoke matrix through the built bin, as CI runs it: `node bin/codestream-auth.js smoke
 * --reporter junit --out smoke.xml`. `npm test` builds dist/ first; run `npm run build` before this file alone.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { parseXml } from '../helpers/xml.js';

const BIN = join(packageRoot, 'bin', 'codestream-auth.js');
// Only turns a hang into a failure; how fast the matrix runs is measured by `npm run bench`, not here.
const HANG_MS = 60_000;

const tmp = mkdtempSync(join(tmpdir(), 'smoke-bin-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('smoke through the built bin', () => {
  it(
    'runs the default matrix with every cell passing, writes JUnit CI tools read',
    async () => {
      const out = join(tmp, 'smoke.xml');
      const run = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [BIN, 'smoke', '--reporter', 'junit', '--out', out],
          { cwd: packageRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: HANG_MS },
          (error, _stdout, stderr) =>
            resolve({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stderr }),
        );
      });
      expect(run.stderr.split('\n').filter((l) => l.startsWith('✖') || l.startsWith('failed:'))).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^smoke: \d+ passed, 0 failed, 0 skipped in [\d.]+ s$/m);
      const root = parseXml(readFileSync(out, 'utf8'));
      const cases = root.children.flatMap((s) => s.children);
      expect(root.children.map((s) => s.attrs.name)).toEqual(['connect', 'signup', 'scenarios']);
      expect(Number(root.attrs.tests)).toBe(cases.length);
      expect(root.attrs.failures).toBe('0');
      expect(cases.length).toBeGreaterThan(60);
      // note: the test's own limit is the hang guard, not vitest's 10 s default, which a busy machine's wall clock can pass.
    },
    HANG_MS + 5_000,
  );
});

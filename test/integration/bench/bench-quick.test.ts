/**
 * `npm run bench` must not rot: its --quick run (a few iterations) finishes and reports every figure as a valid
 * number with its target and ratio. Nothing about time is asserted: a busy machine is slow, not broken.
 * Needs dist/ (`npm test` builds it first).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/util/paths.js';

const FIGURES = [
  'connect_ms_p50',
  'connect_ms_p99',
  'signup_ms_p50',
  'connect_flows_per_s_c32',
  'signup_flows_per_s_c32',
  'check_signup_rps_c64',
  'lab_start_ms',
  'cli_connect_wall_ms',
  'cli_help_wall_ms',
  'rss_growth_mib_per_10k_flows',
  'heap_growth_mib_per_10k_flows',
];

function runBench(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--expose-gc', join(packageRoot, 'bench', 'run.js'), '--quick', '--json'],
      { cwd: packageRoot, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run bench -- --quick --json', () => {
  it(
    'reports every figure as a valid number with its target and ratio to the floor',
    { timeout: 120_000 },
    async () => {
      const run = await runBench();
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const out = JSON.parse(run.stdout) as {
        floor: Record<string, number>;
        figures: Record<string, { value: number; valid: boolean; target: unknown; ratio_to_floor: number | null }>;
      };
      for (const v of Object.values(out.floor)) expect(Number.isFinite(v) && v > 0).toBe(true);
      expect(Object.keys(out.figures).sort()).toEqual([...FIGURES].sort());
      for (const [name, f] of Object.entries(out.figures)) {
        expect({ name, valid: f.valid, finite: Number.isFinite(f.value) }).toEqual({ name, valid: true, finite: true });
        expect(f).toHaveProperty('target');
        expect(f).toHaveProperty('ratio_to_floor');
      }
    },
  );
});

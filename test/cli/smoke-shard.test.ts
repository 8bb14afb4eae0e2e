import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { scenarioCatalogue } from '../../src/flows/scenarios/index.js';
import { defaultSmokeFlows } from '../../src/commands/support/lab-runs.js';
import { planSmoke, selectCells } from '../../src/flows/smoke/matrix.js';
import { parseShard, shardCells } from '../../src/flows/smoke/shard.js';
import { createSecretRegistry } from '../../src/util/secrets.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';

async function engineDeps() {
  const { config, profiles } = await labData();
  const flows = defaultSmokeFlows();
  return { config, profiles, fetch: globalThis.fetch, now: Date.now, secrets: createSecretRegistry(), flows };
}

async function cli(...argv: string[]) {
  const fake = createFakeDeps();
  const code = await main(['smoke', ...argv], fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('smoke --shard', () => {
  it('over n = 1..5 the shards are disjoint, their union is the whole matrix, and a shard is the same every run', async () => {
    const deps = { ...(await engineDeps()), catalogue: scenarioCatalogue };
    const all = planSmoke({}, deps).map((c) => c.id);
    expect(all.length).toBeGreaterThan(5);
    for (let n = 1; n <= 5; n++) {
      const shards = Array.from({ length: n }, (_, i) =>
        selectCells({ shard: { index: i + 1, count: n } }, deps).map((c) => c.id),
      );
      const union = shards.flat();
      expect(new Set(union).size).toBe(union.length); // disjoint
      expect([...union].sort()).toEqual([...all].sort()); // covers every cell
      for (const shard of shards) expect(shard.length).toBeGreaterThan(0);
      // A fresh plan (as another CI job would make) selects the same cells for the same shard.
      const again = { ...(await engineDeps()), catalogue: scenarioCatalogue };
      for (let i = 0; i < n; i++)
        expect(selectCells({ shard: { index: i + 1, count: n } }, again).map((c) => c.id)).toEqual(shards[i]);
    }
  });

  it('parses i/n and keeps a shard empty rather than failing when n exceeds the cells', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(shardCells(['a', 'b'], { index: 3, count: 3 })).toEqual([]);
    expect(shardCells(['a', 'b', 'c'], undefined)).toEqual(['a', 'b', 'c']);
  });

  it.each(['0/3', '4/3', 'x', '1/0', '1/', '-1/3', '1.5/3'])('--shard %s is a usage error (exit 2)', async (bad) => {
    const { code, stderr } = await cli('--shard', bad, '--list');
    expect(code).toBe(2);
    expect(stderr).toContain('--shard');
  });

  it('--list prints the cells of the shard without running them, and the shards of --list cover the list', async () => {
    const whole = await cli('--list');
    expect(whole.code).toBe(0);
    const ids = whole.stdout.trim().split('\n');
    expect(ids).toContain('scenario/consent-denied');
    expect(ids.some((id) => id.startsWith('connect/'))).toBe(true);
    expect(whole.stderr).not.toMatch(/passed|failed/); // nothing ran
    const parts = await Promise.all([1, 2, 3].map((i) => cli('--list', '--shard', `${i}/3`)));
    const union = parts.flatMap((p) => p.stdout.trim().split('\n'));
    expect(union.sort()).toEqual([...ids].sort());
    const only = await cli('--list', '--scenarios', 'none', '--flows', 'connect', '--shard', '1/2');
    expect(
      only.stdout
        .trim()
        .split('\n')
        .every((id) => id.startsWith('connect/')),
    ).toBe(true);
  });
});

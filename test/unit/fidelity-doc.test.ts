/**
 * docs/fidelity.md against the scenario catalogue: its failure-mode table must list, for every one of the
 * contract's 40 failure modes, exactly the scenarios whose `source` names that mode; and its table of CodeStream's
 * own test cases must count 46 applicable cases, all reproduced.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { scenarioCatalogue } from '../../src/flows/scenarios/index.js';

const doc = await readFile(new URL('../../docs/fidelity.md', import.meta.url), 'utf8');

/** The lines of the section under `heading` (up to the next `## `). */
function section(heading: string): string[] {
  const start = doc.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`docs/fidelity.md has no section "${heading}"`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end).split('\n');
}

/** The failure modes a scenario's source names: "FM 8 and 26", "FM 7, 22 and 26", "…; FM 26". */
function failureModesOf(source: string): number[] {
  const modes: number[] = [];
  for (const match of source.matchAll(/\bFM (\d+(?:(?:, | and )\d+)*)/g))
    for (const n of (match[1] ?? '').split(/, | and /)) modes.push(Number(n));
  return modes;
}

function tableRows(lines: string[]): string[][] {
  return lines
    .filter((l) => /^\| *\d+ *\|/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

describe('docs/fidelity.md', () => {
  it('reads the failure modes a source names', () => {
    expect(failureModesOf('contract FM 7, 22 and 26, §5')).toEqual([7, 22, 26]);
    expect(failureModesOf('contract FM 20, §1.5 steps 7-8; FM 26')).toEqual([20, 26]);
    expect(failureModesOf('contract FM 36, §7')).toEqual([36]);
    expect(failureModesOf('contract §2.3 step 1')).toEqual([]);
  });

  it('lists every failure mode 1–40, each with exactly the scenarios whose source names it', () => {
    const table = new Map<number, string[]>();
    for (const [fm = '', , scenarios = ''] of tableRows(section('Failure modes'))) {
      table.set(Number(fm), [...scenarios.matchAll(/`([a-z0-9-]+)`/g)].map((m) => m[1] ?? '').sort());
    }
    expect([...table.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const named = new Map<number, string[]>();
    for (const s of scenarioCatalogue)
      for (const fm of failureModesOf(s.source)) named.set(fm, [...(named.get(fm) ?? []), s.name]);
    for (const [fm, scenarios] of table) {
      expect(scenarios.length, `FM ${fm} has no scenario`).toBeGreaterThan(0);
      expect(scenarios, `FM ${fm}: the table and the scenarios' sources differ`).toEqual((named.get(fm) ?? []).sort());
    }
    const unlisted = [...named.keys()].filter((fm) => !table.has(fm));
    expect(unlisted, 'scenario sources name failure modes the table does not list').toEqual([]);
  });

  it('counts 46 applicable real test cases, numbered 1–46, all reproduced, naming only catalogue scenarios', () => {
    const rows = tableRows(section('Real test cases'));
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 46 }, (_, i) => i + 1));
    for (const row of rows) expect(row.at(-1), `case ${row[0]}`).toBe('reproduced');
    const names = new Set(scenarioCatalogue.map((s) => s.name));
    const cited = rows.flatMap((r) =>
      [...(r[2] ?? '').matchAll(/scenarios? ((?:`[a-z0-9-]+`(?:, )?)+)/g)].flatMap((m) =>
        [...(m[1] ?? '').matchAll(/`([a-z0-9-]+)`/g)].map((n) => n[1] ?? ''),
      ),
    );
    expect(cited.length).toBeGreaterThan(20);
    expect(cited.filter((n) => !names.has(n))).toEqual([]);
  });
});

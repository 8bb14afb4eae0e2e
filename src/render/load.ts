/** The `load` command's output: a progress bar (TTY) or progress lines, then the summary table. */
import type { LoadResult } from '../flows/load/run-load.js';

export interface ProgressWriter {
  update(done: number, failed: number): void;
  end(): void;
}

const BAR = 30;

/**
 * On a TTY one bar redrawn in place, at most every 100 ms; otherwise a plain line at every tenth of the run,
 * so CI logs stay short.
 */
export function progressWriter(
  out: { write(text: string): unknown },
  total: number,
  tty: boolean,
  now: () => number = Date.now,
): ProgressWriter {
  let last = -Infinity;
  let lastTenth = 0;
  let drawn = false;
  const line = (done: number, failed: number): string =>
    `${done}/${total} flows${failed > 0 ? `, ${failed} failed` : ''}`;
  return {
    update(done, failed) {
      if (tty) {
        if (now() - last < 100 && done < total) return;
        last = now();
        const filled = Math.round((done / Math.max(1, total)) * BAR);
        out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${line(done, failed)}`);
        drawn = true;
        return;
      }
      const tenth = Math.floor((done * 10) / Math.max(1, total));
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${line(done, failed)}\n`);
      }
    },
    end() {
      if (drawn) out.write('\n');
    },
  };
}

const ms = (n: number): string => `${n.toFixed(0)} ms`.padStart(10);

/** Throughput, latency per step, failures (the first ten) and the isolation verdict. */
export function renderLoadSummary(r: LoadResult): string {
  const lines = [
    `load ${r.flow}: ${r.flows} flows, ${r.concurrency} in flight, providers ${r.providers.join(',')}, envs ${r.envs.join(',')}`,
    `${r.passed} passed, ${r.failed} failed in ${(r.wallMs / 1000).toFixed(2)} s: ${r.flowsPerSecond.toFixed(1)} flows/s`,
    '',
    `${'latency'.padEnd(28)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'p99'.padStart(10)}${'max'.padStart(10)}`,
  ];
  const row = (name: string, l: LoadResult['latency']['flow']): string =>
    `${name.padEnd(28)}${ms(l.p50)}${ms(l.p95)}${ms(l.p99)}${ms(l.max)}`;
  lines.push(row('whole flow', r.latency.flow));
  for (const [step, l] of Object.entries(r.latency.steps)) lines.push(row(`  ${step}`, l));
  if (r.failures.length > 0) {
    lines.push('', 'failures:');
    for (const f of r.failures.slice(0, 10))
      lines.push(`  ✖ flow ${f.flow} (${f.provider} in ${f.env}) at ${f.step}: ${f.message}`);
    if (r.failures.length > 10) lines.push(`  … and ${r.failures.length - 10} more`);
  }
  lines.push('');
  const iso = r.isolation;
  if (iso.ok)
    lines.push(`✔ isolation: ${iso.checkedTokens} tokens, each delivered exactly once to its own user and environment`);
  else {
    lines.push(`✖ isolation: ${iso.problems.length} problems over ${iso.checkedTokens} tokens`);
    for (const p of iso.problems.slice(0, 10))
      lines.push(`  flow ${p.flow}: ${p.what}: expected ${p.expected}, got ${p.actual}`);
  }
  lines.push(r.ok ? '✔ load passed' : '✖ load failed');
  return `${lines.join('\n')}\n`;
}

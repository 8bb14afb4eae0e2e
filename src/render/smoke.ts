/** Smoke progress lines (one per cell, on stderr) and the JSON report. */
import type { CellResult, SmokeReport } from '../flows/smoke/matrix.js';
import { failureMessage } from './junit.js';
import { defined } from '../util/defined.js';

/** "✔ connect/github/local (66 ms)", "✖ scenario/consent-denied (50 ms): step …". */
export function cellLine(r: CellResult, redact: (t: string) => string = (t) => t): string {
  const ms = `${Math.round(r.ms)} ms`;
  if (r.status === 'passed') return `✔ ${r.cell.id} (${ms})`;
  if (r.status === 'skipped') return `○ ${r.cell.id} skipped: ${r.skipReason ?? ''}`;
  return redact(`✖ ${r.cell.id} (${ms}): ${failureMessage(r)}`);
}

/** The closing line; "N passed, N failed" alone also reads well to CI log scrapers. */
export function summaryLine(report: SmokeReport): string {
  const { passed, failed, skipped } = report.counts;
  return `smoke: ${passed} passed, ${failed} failed, ${skipped} skipped in ${(report.ms / 1000).toFixed(1)} s`;
}

/** The report as JSON data: every cell without its events (use --reporter junit or --har for traces). */
export function smokeJson(report: SmokeReport, redactDeep: <T>(v: T) => T = (v) => v): string {
  const cells = report.results.map((r) => ({
    id: r.cell.id,
    suite: r.cell.suite,
    flow: r.cell.flow,
    provider: r.cell.provider,
    env: r.cell.env,
    ...defined({ scenario: r.cell.scenario?.name }),
    status: r.status,
    ms: Math.round(r.ms),
    ...(r.failedStep === undefined ? {} : { failedStep: r.failedStep, message: failureMessage(r) }),
    ...defined({ check: r.check, error: r.error, skipReason: r.skipReason }),
  }));
  const summary = { ok: report.counts.failed === 0, counts: report.counts, ms: Math.round(report.ms), cells };
  return `${JSON.stringify(redactDeep(summary), null, 2)}\n`;
}

/**
 * A Markdown summary of a smoke report for a CI job summary ($GITHUB_STEP_SUMMARY): counts, one table
 * row per cell, and for each failed cell the step, expected vs actual and a Mermaid sequence diagram.
 */
import type { CellResult, SmokeReport } from '../flows/smoke/matrix.js';
import { failureMessage } from './junit.js';
import { renderMermaid } from './mermaid.js';

/** Redaction of the Markdown summary. */
export interface MarkdownOptions {
  redact?: (text: string) => string;
}

const ICON: Record<CellResult['status'], string> = { passed: '✅', failed: '❌', skipped: '⏭️' };

/** The whole summary as one Markdown document. */
export function renderMarkdown(report: SmokeReport, opts: MarkdownOptions = {}): string {
  const redact = opts.redact ?? ((t: string) => t);
  const { passed, failed, skipped, tests } = report.counts;
  const failedCells = report.results.filter((r) => r.status === 'failed');
  const out: string[] = [
    `## codestream-auth smoke: ${failed === 0 ? '✅ passed' : '❌ failed'}`,
    '',
    `${tests} cells: ${passed} passed, ${failed} failed, ${skipped} skipped in ${(report.ms / 1000).toFixed(1)} s.`,
    '',
    ...(failedCells.length > 0 ? [...table(failedCells), ''] : []),
    // GitHub renders a table inside <details> only with blank lines around it.
    `<details><summary>All ${tests} cells</summary>`,
    '',
    ...table(report.results),
    '',
    '</details>',
  ];
  for (const r of failedCells) {
    out.push('', `### ❌ ${cellText(r)} (${r.cell.provider}, ${r.cell.env})`, '');
    if (r.cell.scenario)
      out.push(
        `Scenario: ${escape(r.cell.scenario.title)}. Injects ${escape(r.cell.scenario.injects)}; ` +
          `expects ${escape(r.cell.scenario.observes)}.`,
        '',
      );
    out.push(`**${escape(redact(failureMessage(r)))}**`, '');
    if (r.error?.hint) out.push(`Hint: ${escape(r.error.hint)}`, '');
    if (r.events.length > 0) out.push('```mermaid', renderMermaid(r.events, { redact }).trimEnd(), '```');
  }
  return `${out.join('\n')}\n`;
}

function table(results: readonly CellResult[]): string[] {
  return [
    '| Cell | Provider | Env | Result | Time | Failed step |',
    '|---|---|---|---|---|---|',
    ...results.map((r) => {
      const failedStep = cell(r.status === 'failed' ? `\`${r.failedStep ?? '?'}\`` : (r.skipReason ?? ''));
      const columns = [
        cellText(r),
        r.cell.provider,
        r.cell.env,
        `${ICON[r.status]} ${r.status}`,
        `${Math.round(r.ms)} ms`,
      ];
      return `| ${[...columns, failedStep].join(' | ')} |`;
    }),
  ];
}

function cellText(r: CellResult): string {
  return cell(r.cell.scenario ? `scenario \`${r.cell.scenario.name}\`` : `${r.cell.flow}`);
}

// A table cell may not contain "|" or a newline.
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

// Outside code, "<" would start HTML and "*"/"_" emphasis in the middle of a message.
function escape(value: string): string {
  return value.replace(/[\\`*_<>|]/g, (c) => `\\${c}`);
}

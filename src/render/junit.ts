/**
 * JUnit XML of a smoke report, in the shape CI systems read: <testsuites> of <testsuite> (one per
 * suite: connect, signup, scenarios) of <testcase classname name time>, with <failure> or <skipped>.
 */
import type { CellResult, SmokeReport } from '../flows/smoke/matrix.js';

/** Redaction and trace length of the JUnit report. */
export interface JunitOptions {
  /** Shortens secrets in messages and bodies. */
  redact?: (text: string) => string;
  /** How many of the failed cell's last events go into the failure body. */
  traceLines?: number;
}

const SUITES = ['connect', 'signup', 'scenarios'] as const;

/** The XML document, with counts that match its testcases. */
export function renderJunit(report: SmokeReport, opts: JunitOptions = {}): string {
  const redact = opts.redact ?? ((t: string) => t);
  const timestamp = new Date(report.startedAt).toISOString().replace(/\.\d{3}Z$/, '');
  const suites = SUITES.map((name) => ({ name, results: report.results.filter((r) => r.cell.suite === name) })).filter(
    (s) => s.results.length > 0,
  );
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const totals = `${counts(report.results)} time="${seconds(report.ms)}" timestamp="${timestamp}"`;
  lines.push(`<testsuites name="codestream-auth smoke" ${totals}>`);
  for (const suite of suites) {
    const time = suite.results.reduce((sum, r) => sum + r.ms, 0);
    const totals = `${counts(suite.results)} time="${seconds(time)}" timestamp="${timestamp}"`;
    lines.push(`  <testsuite name="${suite.name}" ${totals} hostname="localhost">`);
    for (const r of suite.results) lines.push(...testcase(r, redact, opts.traceLines ?? 12));
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/** The one-line failure message: the step, then expected vs actual. */
export function failureMessage(r: CellResult): string {
  const step = `step ${r.failedStep ?? '?'}${r.stepTitle === undefined ? '' : ` (${r.stepTitle})`}`;
  if (r.check) return `${step}: ${r.check.name}: expected ${r.check.expected}, got ${r.check.actual}`;
  return `${step}: ${r.error?.message ?? 'failed'}`;
}

function testcase(r: CellResult, redact: (t: string) => string, traceLines: number): string[] {
  const names = `classname="${attr(r.cell.classname)}" name="${attr(r.cell.name)}"`;
  const open = `    <testcase ${names} time="${seconds(r.ms)}"`;
  if (r.status === 'passed') return [`${open}/>`];
  if (r.status === 'skipped')
    return [`${open}>`, `      <skipped message="${attr(r.skipReason ?? 'skipped')}"/>`, '    </testcase>'];
  const body = [
    `cell: ${r.cell.id} (provider ${r.cell.provider}, env ${r.cell.env})`,
    ...(r.cell.scenario
      ? [
          `scenario: ${r.cell.scenario.title}`,
          `injects: ${r.cell.scenario.injects}`,
          `expects: ${r.cell.scenario.observes}`,
        ]
      : []),
    failureMessage(r),
    ...(r.error?.hint ? [`hint: ${r.error.hint}`] : []),
    '',
    'last events:',
    ...r.events
      .filter((e) => TRACED.has(e.type))
      .slice(-traceLines)
      .map(eventLine),
  ].join('\n');
  const failure = `message="${attr(redact(failureMessage(r)))}" type="${attr(r.error?.code ?? 'FAILED')}"`;
  return [`${open}>`, `      <failure ${failure}>${text(redact(body))}</failure>`, '    </testcase>'];
}

// The events that tell what happened; passed checks and step starts would drown them.
const TRACED = new Set(['http', 'message', 'note', 'check-failed', 'step-failed', 'step-succeeded']);

function eventLine(e: CellResult['events'][number]): string {
  switch (e.type) {
    case 'http': {
      const location = e.location === undefined ? '' : ` → ${e.location}`;
      return `  ${e.from} → ${e.to} ${e.method} ${e.url} ${e.status}${location}`;
    }
    case 'check-failed':
      return `  ✗ ${e.check}: expected ${e.expected}, got ${e.actual}`;
    case 'step-failed':
      return `  ✖ ${e.step}: ${e.error.message}`;
    case 'step-succeeded':
      return `  ✔ ${e.step}`;
    case 'note':
      return `  · ${e.text}`;
    case 'message':
      return `  ${e.from} ⇢ ${e.to} ${e.channel}: ${e.summary}`;
    default:
      return `  ${e.type}`;
  }
}

function counts(results: readonly CellResult[]): string {
  const n = (s: CellResult['status']) => results.filter((r) => r.status === s).length;
  return `tests="${results.length}" failures="${n('failed')}" errors="0" skipped="${n('skipped')}"`;
}

const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

// XML 1.0 allows tab, newline and carriage return among the control characters, nothing else.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text content. */
export function text(value: string): string {
  return value.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double-quoted); newlines kept as character references. */
export function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

#!/usr/bin/env node
// Prints "N passed, N failed" from vitest's JSON report as the last line, which CI reads.
// A test file that fails before any test runs (an import error) has no test results, so it counts as one failure.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-report.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`could not read the vitest JSON report ${file}: ${err.message}`);
  console.log(`0 passed, 1 failed`);
  process.exit(1);
}
const brokenFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
);
for (const f of brokenFiles)
  console.log(`test file failed to run: ${f.name}${f.message ? ` (${f.message.split('\n')[0]})` : ''}`);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${report.numPassedTests ?? 0} passed, ${(report.numFailedTests ?? 0) + brokenFiles.length} failed`);

#!/usr/bin/env node
// Prints "N passed, N failed" from one or more vitest JSON reports, summed, as the last line, which CI reads
// (.ci/run passes the main suite's and examples/vitest-suite's). A report that cannot be read counts as one
// failure (its suite did not get as far as writing it), and so does a test file that failed before any test ran
// (an import error: it has no test results).
import { readFileSync } from 'node:fs';

const files = process.argv.length > 2 ? process.argv.slice(2) : ['.vitest-report.json'];
let passed = 0;
let failed = 0;
let skipped = 0;
let unreadable = 0;
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`could not read the vitest JSON report ${file}: ${err.message}`);
    failed += 1;
    unreadable += 1;
    continue;
  }
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  );
  for (const f of brokenFiles)
    console.log(`test file failed to run: ${f.name}${f.message ? ` (${f.message.split('\n')[0]})` : ''}`);
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + brokenFiles.length;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
if (unreadable > 0) process.exitCode = 1;

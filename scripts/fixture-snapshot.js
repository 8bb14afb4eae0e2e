#!/usr/bin/env node
// Run by `npm run build` after tsc: validates the shipped fixtures once and writes dist/fixture-snapshot.json, which
// a cold CLI run uses instead of loading zod while the fixtures and the validating code are unchanged
// (src/lab/fixture-snapshot.ts). Fixtures that fail validation leave no snapshot: the CLI then validates at run
// time and reports the error there, so the build itself does not fail on them.
import { writeFixtureSnapshot } from '../dist/lab/fixture-snapshot.js';

try {
  await writeFixtureSnapshot();
} catch (err) {
  console.warn(`fixture snapshot not written: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * `codestream-auth/vitest`: vitest's `test` with a `lab` fixture, one lab per test file (started on first use,
 * closed after the file's last test), shared by the file's tests, which may run flows on it concurrently.
 * vitest is an optional peer dependency: only this module imports it.
 */
import { test as base } from 'vitest';
import { startLab, type CodestreamLab, type StartLabOptions } from './api/lab.js';

export interface LabFixtures {
  lab: CodestreamLab;
}

/** `test` with a per-file `lab` started with `options` (every provider and environment by default). */
export function labTest(options: StartLabOptions = {}) {
  return base.extend<LabFixtures>({
    lab: [
      // eslint-disable-next-line no-empty-pattern -- vitest reads the fixtures a fixture uses from this pattern
      async ({}, use) => {
        const lab = await startLab(options);
        try {
          await use(lab);
        } finally {
          await lab.close();
        }
      },
      { scope: 'file' },
    ],
  });
}

/** `test` with a per-file `lab` of every provider and environment of the package's fixtures. */
export const test = labTest();
export { expect, describe } from 'vitest';
export type { CodestreamLab, StartLabOptions };

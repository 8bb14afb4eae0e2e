/** The `codestream-auth/vitest` fixture: one lab per file, shared by the file's tests, running flows in parallel. */
import { afterAll, describe, expect } from 'vitest';
import { runConnect, type CodestreamLab } from '../../../src/index.js';
import { labTest } from '../../../src/vitest.js';

const test = labTest({ providers: ['github', 'gitlab'], envs: ['local', 'pd'] });
const seen = new Set<CodestreamLab>();

describe.concurrent('the per-file lab fixture', () => {
  test('connects github', async ({ lab }) => {
    seen.add(lab);
    expect((await runConnect(lab, { provider: 'github' })).ok).toBe(true);
  });
  test('connects gitlab in pd', async ({ lab }) => {
    seen.add(lab);
    expect((await runConnect(lab, { provider: 'gitlab', env: 'pd' })).ok).toBe(true);
  });
  test('has the environments it was asked for', async ({ lab }) => {
    seen.add(lab);
    expect(Object.keys(lab.urls.envs).sort()).toEqual(['local', 'pd']);
  });
  // Three tests, one lab: the fixture is per file, not per test.
  afterAll(() => expect(seen.size).toBe(1));
});

/**
 * `codestream-auth load`: 1000 connects and 500 sign-ups (see FLOWS), 64 in flight, on one lab, through
 * main(argv, deps). Every flow passes and every token reaches its own user in its own environment exactly once.
 * No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

interface LoadJson {
  flows: number;
  passed: number;
  failed: number;
  failures: unknown[];
  isolation: { ok: boolean; checkedTokens: number; problems: unknown[] };
  latency: { flow: { count: number }; steps: Record<string, { count: number }> };
  ok: boolean;
}

// The 1000 of each, 64 in flight.
const FLOWS = { connect: 1000, signup: 1000 } as const;

async function load(flow: 'connect' | 'signup'): Promise<{ code: number; result: LoadJson; stderr: string }> {
  const fake = createFakeDeps();
  const code = await main(['load', flow, '--flows', String(FLOWS[flow]), '--concurrency', '64', '--json'], fake.deps);
  return { code, result: JSON.parse(fake.stdout()) as LoadJson, stderr: fake.stderr() };
}

describe('codestream-auth load', () => {
  for (const flow of ['connect', 'signup'] as const)
    it(
      `load ${flow} --flows ${FLOWS[flow]} --concurrency 64: all pass, zero cross-delivery`,
      { timeout: 150_000 },
      async () => {
        const { code, result, stderr } = await load(flow);
        expect(stderr).toBe(''); // --json: nothing before the result, not even progress
        expect(result.failures).toEqual([]);
        expect(result.isolation.problems).toEqual([]);
        expect({
          passed: result.passed,
          tokens: result.isolation.checkedTokens,
          flows: result.latency.flow.count,
        }).toEqual({ passed: FLOWS[flow], tokens: FLOWS[flow], flows: FLOWS[flow] });
        expect(result.ok).toBe(true);
        expect(code).toBe(0);
      },
    );

  it('prints progress lines and the summary without --json; a bad flow name is a usage error', async () => {
    const fake = createFakeDeps();
    expect(await main(['load', 'connect', '--flows', '20', '--concurrency', '4'], fake.deps)).toBe(0);
    expect(fake.stderr()).toContain('20/20 flows');
    expect(fake.stdout()).toContain('✔ isolation: 20 tokens');
    expect(fake.stdout()).toMatch(/whole flow +\d+ ms/);
    const bad = createFakeDeps();
    expect(await main(['load', 'refresh'], bad.deps)).toBe(2);
  });
});

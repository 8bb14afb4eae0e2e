import { describe, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { runScenario, scenarioCatalogue, type ScenarioResult } from '../../../src/flows/scenarios/index.js';
import { FLOW_KINDS } from '../../../src/flows/scenarios/types.js';
import { flowDeps } from '../../helpers/lab.js';

function failureOf(result: ScenarioResult, events: FlowEvent[]): string {
  if (result.ok) return '';
  const checks = events.filter((e) => e.type === 'check-failed').map((e) => JSON.stringify(e));
  return `${result.skipped ?? ''} step ${result.outcome?.failedStep ?? '?'}: ${result.outcome?.error?.message ?? ''} ${checks.join(' ')}`;
}

describe.concurrent('every scenario of the catalogue behaves as it expects', () => {
  it.for(scenarioCatalogue.map((s) => [s.name, s] as const))('%s', async ([, scenario], { expect }) => {
    const deps = await flowDeps();
    const result = await runScenario(scenario, {}, deps);
    // The fixture lab has every provider a scenario needs, so nothing may be skipped here.
    expect(result.skipped).toBeUndefined();
    expect(failureOf(result, deps.events)).toBe('');
    expect(result.ok).toBe(true);
  });

  it('holds at least 25 scenarios with unique names, covering every flow', ({ expect }) => {
    const names = scenarioCatalogue.map((s) => s.name);
    expect(names.length).toBeGreaterThanOrEqual(25);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(scenarioCatalogue.map((s) => s.flow))).toEqual(new Set(FLOW_KINDS));
  });
});

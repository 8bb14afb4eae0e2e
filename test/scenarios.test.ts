import { describe, expect, it } from 'vitest';
import { runScenario, scenarioCatalogue, type ScenarioResult } from '../src/flows/scenarios/index.js';
import type { FlowEvent } from '../src/events.js';
import { flowDeps } from './helpers/lab.js';

function failureOf(result: ScenarioResult, events: FlowEvent[]): string {
  if (result.ok) return '';
  const checks = events.filter((e) => e.type === 'check-failed').map((e) => JSON.stringify(e));
  return `${result.skipped ?? ''} step ${result.outcome?.failedStep ?? '?'}: ${result.outcome?.error?.message ?? ''} ${checks.join(' ')}`;
}

describe('every scenario of the catalogue behaves as it expects', () => {
  it.each(scenarioCatalogue.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const deps = await flowDeps();
    const result = await runScenario(scenario, {}, deps);
    // The fixture lab has every provider a scenario needs, so nothing may be skipped here.
    expect(result.skipped).toBeUndefined();
    expect(failureOf(result, deps.events)).toBe('');
    expect(result.ok).toBe(true);
  });
});

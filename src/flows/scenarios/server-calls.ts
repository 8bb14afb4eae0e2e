/** The server-to-server calls of a scenario run, reported after each step (src/flows/server-calls.ts reads them). */
import { reportServerCalls } from '../engine/server-calls.js';
import type { ScenarioContext, ScenarioRuntime, StepHook } from './runtime.js';

/** One hook per step that reports the provider calls made during it, also when the step failed. */
export function serverCallHooks<C extends ScenarioContext>(
  rt: ScenarioRuntime,
  stepIds: readonly string[],
): StepHook<C>[] {
  return stepIds.map((step) => ({ step, when: 'finally', run: (ctx) => reportServerCalls(rt.lab, ctx.onEvent) }));
}

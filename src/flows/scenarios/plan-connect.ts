/** Assembles a connect run for a scenario: the connect steps, reordered, cut and extended as it says. */
import { AppError } from '../../errors.js';
import { connectSteps, type ConnectContext } from '../connect.js';
import type { Step } from '../runner.js';
import { callbackTimingHook, deliveryStep, refusedSteps, webErrorSteps } from './expect-connect.js';
import { applyInjection } from './injections.js';
import { wrapStep, type Applied, type ScenarioRuntime, type StepHook } from './runtime.js';
import type { Expectation } from './types.js';

export interface FlowPlan<C> {
  steps: Step<C>[];
  /** Installs browser rewrites on the flow's context. */
  prepare(ctx: C): void;
  /** Applies the lab faults; called once the lab runs, before the first step. */
  arrange(): Promise<void>;
}

/** Base steps up to the expectation's point of divergence, then its checks. */
function expectationSteps(expect: Expectation, base: Step<ConnectContext>[], actions: Step<ConnectContext>[], rt: ScenarioRuntime): { steps: Step<ConnectContext>[]; hooks: StepHook<ConnectContext>[] } {
  if (expect.outcome === 'connected') {
    const steps = base.map((s) => (s.id === 'broadcast' ? deliveryStep(expect, rt) : s));
    return { steps: [...steps, ...actions], hooks: expect.callbackAtLeastMs === undefined ? [] : [callbackTimingHook(expect.callbackAtLeastMs)] };
  }
  const cut = base.findIndex((s) => s.id === expect.from);
  const kept = cut < 0 ? base : base.slice(0, cut);
  const tail = expect.outcome === 'web-error' ? webErrorSteps(expect, rt) : refusedSteps(expect, rt);
  return { steps: [...kept, ...actions, ...tail], hooks: [] };
}

/** The connect steps for `rt.scenario`, with every injection's hooks wrapped around their steps. */
export function planConnect(rt: ScenarioRuntime): FlowPlan<ConnectContext> {
  const applied: Applied<ConnectContext>[] = rt.scenario.injections.map((i) => applyInjection<ConnectContext>(i, rt));
  let base = [...connectSteps];
  for (const a of applied) if (a.reorder) base = a.reorder(base);
  const actions = applied.flatMap((a) => a.actions ?? []);
  const { steps, hooks } = expectationSteps(rt.scenario.expect, base, actions, rt);
  const allHooks = [...applied.flatMap((a) => a.hooks ?? []), ...hooks, announceHook(rt, steps[0]?.id ?? '')];
  const missing = allHooks.find((h) => !steps.some((s) => s.id === h.step));
  if (missing) throw new AppError('UNEXPECTED', `scenario "${rt.scenario.name}" hooks step "${missing.step}", which its run does not have`);
  return {
    steps: steps.map((s) => wrapStep(s, allHooks)),
    prepare(ctx) {
      for (const a of applied) if (a.intercept) ctx.browser.interceptors.push(a.intercept(ctx));
    },
    async arrange() {
      for (const a of applied) await a.arrange?.();
    },
  };
}

// The first step says which scenario runs, so every report shows it next to the hops.
function announceHook<C>(rt: ScenarioRuntime, first: string): StepHook<C> {
  return {
    step: first,
    when: 'before',
    run: (_ctx, s) => s.note(`scenario ${rt.scenario.name}: injects ${rt.scenario.injects}; expects ${rt.scenario.observes}`),
  };
}

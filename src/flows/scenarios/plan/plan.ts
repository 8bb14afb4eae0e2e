/** Assembles a scenario run of any flow: its steps reordered, cut and extended, with hooks wrapped in. */
import { AppError } from '../../../errors.js';
import type { Step } from '../../engine/runner.js';
import { applyInjection } from '../inject/injections.js';
import { serverCallHooks } from '../server-calls.js';
import { wrapStep, type Applied, type ScenarioContext, type ScenarioRuntime, type StepHook } from '../runtime.js';
import type { Expectation } from '../types.js';

/** A scenario run of one flow: its steps, and what to do to the lab and the context first. */
export interface FlowPlan<C> {
  steps: Step<C>[];
  /** Installs browser rewrites on the flow's context. */
  prepare(ctx: C): void;
  /** Applies the lab faults; called once the lab runs, before the first step. */
  arrange(): Promise<void>;
}

/** A flow's expectation compiler: the steps that check the outcome, and hooks on existing steps. */
export type CompileExpectation<C> = (
  expect: Expectation,
  base: Step<C>[],
  actions: Step<C>[],
  rt: ScenarioRuntime,
) => { steps: Step<C>[]; hooks: StepHook<C>[] };

/** Base steps up to the expectation's point of divergence (all of them when it is not a base step), then `tail`. */
export function cutAt<C>(base: Step<C>[], from: string, actions: Step<C>[], tail: Step<C>[]): Step<C>[] {
  const cut = base.findIndex((s) => s.id === from);
  return [...(cut < 0 ? base : base.slice(0, cut)), ...actions, ...tail];
}

/** The plan of `rt.scenario` over a flow's `base` steps. */
export function planFlow<C extends ScenarioContext>(
  rt: ScenarioRuntime,
  base: readonly Step<C>[],
  compile: CompileExpectation<C>,
): FlowPlan<C> {
  const applied: Applied<C>[] = rt.scenario.injections.map((i) => applyInjection<C>(i, rt));
  let ordered = [...base];
  for (const a of applied) if (a.reorder) ordered = a.reorder(ordered);
  const actions = applied.flatMap((a) => a.actions ?? []);
  const { steps, hooks } = compile(rt.scenario.expect, ordered, actions, rt);
  const allHooks = [
    ...applied.flatMap((a) => a.hooks ?? []),
    ...hooks,
    announceHook<C>(rt, steps[0]?.id ?? ''),
    ...serverCallHooks<C>(
      rt,
      steps.map((s) => s.id),
    ),
  ];
  const missing = allHooks.find((h) => !steps.some((s) => s.id === h.step));
  if (missing)
    throw new AppError(
      'UNEXPECTED',
      `scenario "${rt.scenario.name}" hooks step "${missing.step}", which its run does not have`,
    );
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

/** An expectation a flow cannot check is a catalogue mistake. */
export function wrongFlow(expect: Expectation, flow: string): never {
  throw new AppError('UNEXPECTED', `expectation "${expect.outcome}" does not apply to a ${flow}`);
}

// The first step says which scenario runs, so every report shows it next to the hops.
function announceHook<C>(rt: ScenarioRuntime, first: string): StepHook<C> {
  return {
    step: first,
    when: 'before',
    run: (_ctx, s) =>
      s.note(`scenario ${rt.scenario.name}: injects ${rt.scenario.injects}; expects ${rt.scenario.observes}`),
  };
}

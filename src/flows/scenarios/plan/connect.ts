/** A connect run for a scenario: the connect steps with the expectation's checks. */
import { connectSteps, type ConnectContext } from '../../connect/steps.js';
import { apiErrorSteps, callbackTimingHook, deliveryStep, refusedSteps, webErrorSteps } from './expect-connect.js';
import { scriptLoopSteps } from './script-loop.js';
import { cutAt, planFlow, wrongFlow, type CompileExpectation, type FlowPlan } from './plan.js';
import type { ScenarioRuntime } from '../runtime.js';

const compileConnect: CompileExpectation<ConnectContext> = (expect, base, actions, rt) => {
  switch (expect.outcome) {
    case 'connected':
      return {
        steps: [...base.map((s) => (s.id === 'broadcast' ? deliveryStep(expect, rt) : s)), ...actions],
        hooks: expect.callbackAtLeastMs === undefined ? [] : [callbackTimingHook(expect.callbackAtLeastMs)],
      };
    case 'web-error':
      return { steps: cutAt(base, expect.from, actions, webErrorSteps(expect, rt)), hooks: [] };
    case 'refused':
      return { steps: cutAt(base, expect.from, actions, refusedSteps(expect, rt)), hooks: [] };
    case 'api-error':
      return { steps: cutAt(base, expect.from, actions, apiErrorSteps(expect, rt)), hooks: [] };
    case 'script-loop':
      return { steps: cutAt(base, expect.from, actions, scriptLoopSteps(expect, rt)), hooks: [] };
    default:
      return wrongFlow(expect, 'connect');
  }
};

/** The plan of a connect scenario over the connect flow's steps. */
export function planConnect(rt: ScenarioRuntime): FlowPlan<ConnectContext> {
  return planFlow(rt, connectSteps, compileConnect);
}

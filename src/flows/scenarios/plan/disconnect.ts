/**
 * Disconnect scenarios (contract §1.8 second bullet, failure mode 39): the disconnect flow, whose own checks
 * already follow the contract for a deauth without host; the scenario adds the end state it must leave.
 */
import { AppError } from '../../../errors.js';
import { getPath } from '../../../util/dotted.js';
import { storageKeyOf } from '../../connect/steps.js';
import { disconnectFlowSteps, type DisconnectContext } from '../../disconnect/steps.js';
import type { Step } from '../../engine/runner.js';
import type { ScenarioRuntime } from '../runtime.js';
import type { Injection } from '../types.js';
import { wrongFlow, type FlowPlan } from './plan.js';

type Ctx = DisconnectContext;

/** Whether the scenario has the agent leave out the host. */
export function withoutHostOf(injections: readonly Injection[]): boolean {
  return injections.some((i) => i.kind === 'deauth-without-host');
}

export function planDisconnect(rt: ScenarioRuntime, ctx: Ctx): FlowPlan<Ctx> {
  const other = rt.scenario.injections.find((i) => i.kind !== 'deauth-without-host');
  if (other) throw new AppError('UNEXPECTED', `injection "${other.kind}" does not apply to a disconnect scenario`);
  const expect = rt.scenario.expect;
  if (expect.outcome !== 'disconnected') return wrongFlow(expect, 'disconnect');
  const steps = disconnectFlowSteps(ctx);
  const isolation = steps.length - 1;
  const end = endStateStep(expect.hostTokenKept);
  return {
    steps: [...steps.slice(0, isolation), end, ...steps.slice(isolation)],
    prepare: () => undefined,
    arrange: async () => undefined,
  };
}

function endStateStep(kept: boolean): Step<Ctx> {
  return {
    id: 'end-state',
    title: kept ? "The host's token is still stored and held by the agent" : 'No token is left for the provider',
    async run(ctx, s) {
      const key = `${storageKeyOf(ctx)}.accessToken`;
      const stored = getPath(ctx.api.control.store.user(ctx.userId), key);
      s.expectEqual(`stored ${key}`, kept ? ctx.storedToken : undefined, stored, kept ? undefined : 'none');
      s.expectEqual(
        `agent's cache ${key}`,
        kept ? ctx.deliveredToken : undefined,
        getPath(ctx.me, key),
        kept ? undefined : 'none',
      );
      return kept ? 'the provider still counts as connected (failure mode 39)' : 'disconnected';
    },
  };
}

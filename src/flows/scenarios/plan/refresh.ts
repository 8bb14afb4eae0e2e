/**
 * A refresh run for a scenario (contract §1.8, failure mode 38): the connect steps, then the agent's
 * GET /provider-refresh refused with a JSON error, and nothing stored, broadcast or delivered because of it.
 */
import { storageKeyOf } from '../../connect/steps.js';
import { getPath } from '../../../util/dotted.js';
import { refreshFlowSteps, refreshQuery, type RefreshContext } from '../../refresh/steps.js';
import type { Step } from '../../engine/runner.js';
import { cutAt, planFlow, wrongFlow, type CompileExpectation, type FlowPlan } from './plan.js';
import type { ScenarioRuntime } from '../runtime.js';
import type { Expectation } from '../types.js';

type Ctx = RefreshContext;
type ApiError = Extract<Expectation, { outcome: 'api-error' }>;

/** What the connect left behind, to compare with after the refusal. */
interface Before {
  stored: string;
  published: number;
}

const compileRefresh: CompileExpectation<Ctx> = (expect, base, actions) => {
  if (expect.outcome !== 'api-error' || expect.from !== 'refresh-call')
    return wrongFlow(expect, 'refresh (only an api-error from refresh-call)');
  const before: Before = { stored: '', published: 0 };
  return { steps: cutAt(base, expect.from, actions, [refusedStep(expect, before), unchangedStep(before)]), hooks: [] };
};

/** The plan of a refresh scenario over the connect + refresh steps of the run's provider. */
export function planRefresh(rt: ScenarioRuntime, ctx: Ctx): FlowPlan<Ctx> {
  return planFlow(rt, refreshFlowSteps(ctx), compileRefresh);
}

function refusedStep(expect: ApiError, before: Before): Step<Ctx> {
  return {
    id: expect.from,
    title: `The API refuses the agent's refresh with ${expect.status} ${expect.code}`,
    async run(ctx, s) {
      const key = storageKeyOf(ctx);
      before.stored = JSON.stringify(getPath(ctx.api.control.store.user(ctx.userId), key) ?? null);
      before.published = ctx.api.control.broadcasts.messagesOn(`user-${ctx.userId}`).length;
      const journaled = ctx.provider.control.requests.length;
      const answer = await ctx.client.request(
        'GET',
        `/provider-refresh/${ctx.profile.id}?${refreshQuery(ctx, key)}`,
        undefined,
        ctx.signal,
      );
      s.expectEqual('status', expect.status, answer.status);
      s.expectEqual('code', expect.code, answer.body.code);
      if (expect.info !== undefined) s.expectEqual('info', expect.info, answer.body.info);
      if (expect.reason !== undefined) s.expectEqual('reason', expect.reason, answer.body.reason);
      // A refusal by the provider reaches the agent only as RAPI-1009, its answer named in reason (contract §1.8,
      // §1.10).
      const grant = ctx.provider.control.requests.slice(journaled).find((r) => r.endpoint === 'token');
      if (grant !== undefined) {
        const grantType = { ...grant.query, ...grant.body }.grant_type;
        s.expectEqual('the provider got a refresh grant', 'refresh_token', grantType);
        const said = `answered ${String(grant.status)}`;
        s.check(
          `reason names the provider's answer (HTTP ${String(grant.status)})`,
          String(answer.body.reason).includes(said),
          said,
          answer.body.reason,
        );
      }
      const text = typeof answer.body.reason === 'string' ? `: ${answer.body.reason}` : '';
      return `${answer.status} ${String(answer.body.code)}${text}`;
    },
  };
}

function unchangedStep(before: Before): Step<Ctx> {
  return {
    id: 'nothing-refreshed',
    title: "The stored token, the me-channel and the agent's cache are unchanged",
    async run(ctx, s) {
      const key = storageKeyOf(ctx);
      const stored = JSON.stringify(getPath(ctx.api.control.store.user(ctx.userId), key) ?? null);
      s.check(`${key} unchanged`, stored === before.stored, 'the token the connect stored', stored.slice(0, 80));
      const published = ctx.api.control.broadcasts.messagesOn(`user-${ctx.userId}`).length;
      s.expectEqual('nothing more published on the me-channel', before.published, published, 'none');
      const held = getPath(ctx.me, `${key}.accessToken`);
      s.expectEqual("the agent still holds the connect's token", ctx.deliveredToken, held);
      // Contract §6.6: the agent's answer to a CS API error on refresh.
      s.note(
        'the real agent now calls disconnect() and then ensureConnected(), sending the user through the connect again',
      );
      return 'nothing refreshed';
    },
  };
}

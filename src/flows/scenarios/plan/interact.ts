/**
 * Interact scenarios (contract §7, failure modes 36 and 37): the provider-initiated call of the interact flow,
 * spoiled as `interact --tamper` spoils it, or an MS Teams connect code that expired before the sign-in card
 * came back. Only the injections that make sense here apply: the tamper and the clock.
 */
import { TEAMS_TENANT_ID, type InteractiveProvider } from '../../../agent-sim/provider-calls.js';
import { AppError } from '../../../errors.js';
import { getPath } from '../../../util/dotted.js';
import { parseJsonObject } from '../../../util/json.js';
import type { Step } from '../../engine/runner.js';
import { expectedOutcome, interactSteps, ownActions, type InteractContext } from '../../interact/steps.js';
import { formatDuration } from '../../../util/duration.js';
import { wrapStep, type ScenarioRuntime, type StepHook } from '../runtime.js';
import type { Expectation, Injection } from '../types.js';
import { cutAt, wrongFlow, type FlowPlan } from './plan.js';

type Ctx = InteractContext;

/** The tamper a scenario asks for, if any. */
export function tamperOf(injections: readonly Injection[]): InteractContext['tamper'] {
  for (const i of injections) if (i.kind === 'tamper-provider-call') return i.tamper;
  return undefined;
}

/** The plan of an interact scenario over the interact steps of its provider. */
export function planInteract(rt: ScenarioRuntime, provider: InteractiveProvider): FlowPlan<Ctx> {
  const hooks: StepHook<Ctx>[] = rt.scenario.injections.flatMap((i): StepHook<Ctx>[] => {
    if (i.kind === 'tamper-provider-call') return [];
    if (i.kind !== 'advance-clock')
      throw new AppError('UNEXPECTED', `injection "${i.kind}" does not apply to an interact scenario`);
    return [
      {
        step: i.before,
        when: 'before',
        run: (_ctx, s) => {
          rt.clock.advance(i.ms);
          s.note(`${i.why}: the clock moves ${formatDuration(i.ms)} forward (injected, no waiting)`);
        },
      },
    ];
  });
  const steps = compile(rt.scenario.expect, interactSteps(provider), tamperOf(rt.scenario.injections));
  return { steps: steps.map((s) => wrapStep(s, hooks)), prepare: () => undefined, arrange: async () => undefined };
}

function compile(expect: Expectation, base: Step<Ctx>[], tamper: Ctx['tamper']): Step<Ctx>[] {
  switch (expect.outcome) {
    case 'provider-call-refused': {
      // The interact steps check a tampered call's refusal themselves; this pins who refuses, with which code.
      const by = expect.by === 'proxy' ? 'refused by the VPN proxy' : 'refused by the environment';
      if (expectedOutcome(tamper) !== by)
        throw new AppError(
          'UNEXPECTED',
          `the scenario expects "${by}" but its tamper gives "${expectedOutcome(tamper)}"`,
        );
      return [...base, refusalCodeStep(expect.code)];
    }
    case 'bot-reply':
      return cutAt(base, expect.from, [], [botReplyStep(expect.from, expect.says)]);
    default:
      return wrongFlow(expect, 'interact');
  }
}

function refusalCodeStep(code: string): Step<Ctx> {
  return {
    id: 'refusal-code',
    title: `The provider's call got 403 ${code}`,
    async run(ctx, s) {
      s.expectEqual('status', 403, ctx.answer?.status);
      s.expectEqual('code', code, parseJsonObject(ctx.answer?.body)?.code);
      return `403 ${code}`;
    },
  };
}

function botReplyStep(id: string, says: string): Step<Ctx> {
  return {
    id,
    title: `The bot replies "${says}" and signs nobody in`,
    async run(ctx, s) {
      s.expectEqual('answer status', 200, ctx.answer?.status);
      const reply = ownActions(ctx, ctx.api.control.providerActions.actions)[0]?.reply ?? '';
      s.check(`bot replied "${says}"`, reply.startsWith(says), `${says}…`, reply);
      const replies = parseJsonObject(ctx.answer?.body)?.activities;
      const returned = Array.isArray(replies) ? getPath(replies[0], 'text') : undefined;
      s.expectEqual('the reply returned to Teams', reply, returned);
      const team = ctx.api.control.store.team(ctx.teamId);
      s.expectEqual(
        `team.providerBotInfo.msteams.${TEAMS_TENANT_ID} not set`,
        undefined,
        getPath(team, `providerBotInfo.msteams.${TEAMS_TENANT_ID}`),
        'none',
      );
      const identities = ctx.api.control.store.user(ctx.userId)?.providerIdentities ?? [];
      s.check(
        `no msteams::${TEAMS_TENANT_ID} identity`,
        !identities.includes(`msteams::${TEAMS_TENANT_ID}`),
        'none',
        identities,
      );
      s.expectEqual(
        'nothing published for the user',
        0,
        ctx.api.control.broadcasts.messagesOn(`user-${ctx.userId}`).length,
      );
      return reply;
    },
  };
}

/** What a scenario run holds while it runs, and the shape of what its injections contribute. */
import type { BroadcastClient } from '../../agent-sim/broadcast-client.js';
import type { BrowserInterceptor, Hop } from '../../agent-sim/browser.js';
import type { Lab } from '../../lab/start-lab.js';
import type { RunningApi } from '../../mock-api/index.js';
import type { AgentContext } from '../engine/context.js';
import type { Step, StepContext } from '../engine/runner.js';
import type { ScenarioClock } from './inject/clock.js';
import type { ScenarioPollClock } from './inject/poll-clock.js';
import type { Injection, Scenario } from './types.js';

/** The part of a flow's context that scenario hooks read; the connect context has all of it. */
export interface ScenarioContext extends AgentContext {
  userId?: string | undefined;
  teamId?: string;
  /** The provider's redirect back (provider → router). */
  callbackHop?: Hop | undefined;
  signal?: AbortSignal | undefined;
  /** The agent's broadcaster subscription (connect runs). */
  broadcasts?: BroadcastClient;
  /** The webview's signup token (sign-up runs): the key of the record check-signup reads. */
  signupToken?: string;
}

/** The running scenario: its lab, clocks, providers, and what injections learn on the way. */
export interface ScenarioRuntime {
  scenario: Scenario;
  lab: Lab;
  envName: string;
  api: RunningApi;
  /** The flow's provider. */
  provider: string;
  /** The second provider of the lab, for scenarios that require one (mix-up). */
  other: string | undefined;
  clock: ScenarioClock;
  /** The check-signup poller's clock; sign-up runs have one (optional, so connect-only callers may omit it). */
  poll?: ScenarioPollClock;
  /** When the run began on the scenario's clock: the agent's session start. */
  startedAt: number;
  /** The provider an error page must name: the flow's, unless a rewrite sent the callback elsewhere. */
  callbackProvider: string;
  /** When the agent's broadcaster connection dropped, while it is offline. */
  agentOfflineSince?: number;
  /** Hops that injections produced (the replayed callback). */
  hops: { replay?: Hop };
}

/**
 * Runs inside one step: before or after its work (a throw fails it), or finally, whether it passed or not (to observe).
 */
export interface StepHook<C> {
  step: string;
  when: 'before' | 'after' | 'finally';
  run(ctx: C, s: StepContext): void | Promise<void>;
}

/** What one injection contributes to a run. */
export interface Applied<C extends ScenarioContext> {
  /** Done on the running lab before the first step. */
  arrange?(): void | Promise<void>;
  hooks?: StepHook<C>[];
  /** Installed on the flow's browser. */
  intercept?(ctx: C): BrowserInterceptor;
  /** Changes the order of the flow's steps. */
  reorder?(steps: Step<C>[]): Step<C>[];
  /** Steps appended after the flow's own (before the expectation's). */
  actions?: Step<C>[];
}

/** Each kind of injection with its fields, so a kind picks its own shape (and a table of appliers checks). */
export type InjectionOf = { [K in Injection['kind']]: Extract<Injection, { kind: K }> };

/** Turns one kind of injection into what it contributes to a run (injections*.ts hold one per kind). */
export type Applier<K extends Injection['kind']> = <C extends ScenarioContext>(
  injection: InjectionOf[K],
  rt: ScenarioRuntime,
) => Applied<C>;

/** Wraps a step so hooks run inside it, before and after its own work. */
export function wrapStep<C>(step: Step<C>, hooks: readonly StepHook<C>[]): Step<C> {
  const mine = (when: StepHook<C>['when']) => hooks.filter((h) => h.step === step.id && h.when === when);
  const [before, after, always] = [mine('before'), mine('after'), mine('finally')];
  if (before.length + after.length + always.length === 0) return step;
  return {
    ...step,
    async run(ctx, s) {
      try {
        for (const h of before) await h.run(ctx, s);
        const detail = await step.run(ctx, s);
        for (const h of after) await h.run(ctx, s);
        return detail;
      } finally {
        for (const h of always) await h.run(ctx, s);
      }
    },
  };
}

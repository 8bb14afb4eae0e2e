/**
 * Misconfigurations of a multi-environment setup (contract failure modes 11 and 12), shown as connect
 * runs that pass when the system fails exactly as expected. Each is a change to the lab's configuration
 * (not a tampered request) plus the failure scenario expectation it must produce, checked with the
 * scenario machinery of src/flows/scenarios, then the cause and the isolation of the other environments.
 */
import { rawQueryOf } from '../engine/checks.js';
import { expectedStatePrefix } from '../engine/environment.js';
import { getPath } from '../../util/dotted.js';
import { AppError, UsageError } from '../../errors.js';
import type { LabConfig } from '../../lab/config.js';
import type { Lab } from '../../lab/start-lab.js';
import type { ConnectContext } from '../connect/steps.js';
import { flowKind } from '../connect/expect.js';
import { isolationStep } from '../engine/isolation.js';
import { labOptionsFor, runAgentFlow, withLab } from '../engine/lab-run.js';
import { createConnectContext, type ConnectOptions, type ConnectRun, type FlowDeps } from '../connect/run.js';
import type { Step } from '../engine/runner.js';
import type { ScenarioRuntime } from '../scenarios/runtime.js';
import type { Scenario } from '../scenarios/types.js';

export const MISCONFIGS = ['callback-env-unset', 'router-unknown-env', 'exchange-redirect-uri'] as const;
export type Misconfig = (typeof MISCONFIGS)[number];

interface MisconfigSpec {
  scenario: Omit<Scenario, 'name' | 'flow' | 'injections'>;
  /** Whether the callback still reaches the chosen environment through the router. */
  delivered: boolean;
  /** The lab config to start with. */
  configure?(config: LabConfig, env: string): LabConfig;
  /** A change to the running lab, before the first step. */
  arrange?(lab: Lab, env: string): void;
  /** Checks that the failure came from this misconfiguration and nothing else. */
  cause(ctx: ConnectContext, s: Parameters<Step<ConnectContext>['run']>[1]): string;
}

const SPECS: Record<Misconfig, MisconfigSpec> = {
  'callback-env-unset': {
    scenario: {
      title: 'apiServer.callbackEnvironment is not configured',
      source: 'contract §2.2, failure mode 11',
      injects: 'config: the environment has no callbackEnvironment, so its state starts with "null!"',
      observes: 'the router refuses the callback with an error page and no Location',
      expect: {
        outcome: 'refused',
        from: 'route',
        by: 'router',
        status: 400,
        says: 'callbackEnvironment is not configured',
      },
    },
    delivered: false,
    configure: (config, env) => ({
      ...config,
      environments: config.environments.map((e) => (e.name === env ? { ...e, callbackEnvironment: null } : e)),
    }),
    cause(ctx, s) {
      s.check(
        'state sent to the provider starts with "null!"',
        ctx.sentState?.startsWith('null!') === true,
        'null!…',
        ctx.sentState?.slice(0, 8) ?? null,
      );
      routerRefusedAs(ctx, s, 'callback-env-unset');
      return 'callbackEnvironment unset → state "null!…" → the router cannot know where to send it';
    },
  },
  'router-unknown-env': {
    scenario: {
      title: 'authOrigin points at a router whose table lacks the environment',
      source: 'contract §7, failure mode 11',
      injects: "config: the router's environment table has no entry for the environment",
      observes: 'the router answers "not known to this router" with an error page and no Location',
      expect: { outcome: 'refused', from: 'route', by: 'router', status: 400, says: 'is not known to this router' },
    },
    delivered: false,
    arrange(lab, env) {
      const name = lab.config.environments.find((e) => e.name === env)?.callbackEnvironment;
      if (name) lab.router.environments.delete(name);
    },
    cause(ctx, s) {
      const name = expectedStatePrefix(ctx);
      s.check(`router table has no "${name}"`, !ctx.lab.router.environments.has(name), 'absent', 'present');
      s.check(
        `state names "${name}"`,
        ctx.sentState?.startsWith(`${name}!`) === true,
        `${name}!…`,
        ctx.sentState?.slice(0, name.length + 1) ?? null,
      );
      routerRefusedAs(ctx, s, 'unknown-env');
      return `the state names "${name}", which the router at authOrigin does not route`;
    },
  },
  'exchange-redirect-uri': {
    scenario: {
      title: 'The exchange sends a redirect_uri other than the authorize one',
      source: 'contract §7 ("redirect_uri must match in both calls"), failure mode 12; RFC 6749 §4.1.3',
      injects:
        "config: the environment's exchange rebuilds redirect_uri from its publicApiUrl, the start route from authOrigin",
      observes: 'the provider rejects the exchange and the callback ends on /web/error?code=RAPI-1010',
      expect: { outcome: 'web-error', from: 'callback', code: 'RAPI-1010', state: true },
    },
    delivered: true,
    arrange(lab, env) {
      const api = lab.envs.get(env);
      if (api) api.control.inject.exchangeAuthOrigin(`${api.url}/no-auth`);
    },
    cause(ctx, s) {
      const sentCode = new URL(ctx.callbackHop?.location ?? '', ctx.lab.router.url).searchParams.get('code') ?? '';
      const exchange = ctx.provider.control.requestCarrying(
        'token',
        ctx.profile.token?.codeParameter ?? 'code',
        sentCode,
      );
      const sent = { ...exchange?.query, ...exchange?.body }.redirect_uri;
      s.expectEqual('exchange redirect_uri', `${ctx.api.url}/no-auth/provider-token/${ctx.profile.id}`, sent);
      s.check(
        'differs from the authorize redirect_uri',
        sent !== ctx.redirectUri,
        `not ${ctx.redirectUri ?? ''}`,
        sent ?? null,
      );
      s.expectEqual('provider issued no token', 0, ctx.provider.control.issuedFrom(sentCode).length);
      const stored = getPath(ctx.api.control.store.user(ctx.userId), `providerInfo.${ctx.teamId}.${ctx.profile.id}`);
      s.expectEqual('nothing stored', undefined, stored);
      return 'authorize used authOrigin, the exchange publicApiUrl: the provider refused (redirect_uri mismatch) → RAPI-1010';
    },
  },
};

function routerRefusedAs(ctx: ConnectContext, s: Parameters<Step<ConnectContext>['run']>[1], kind: string): void {
  const hit = ctx.lab.router.hits.find(
    (h) =>
      h.path === `/no-auth/provider-token/${ctx.profile.id}` &&
      h.rawQuery === rawQueryOf(ctx.callbackHop?.location ?? ''),
  );
  s.expectEqual('router refusal', kind, hit?.refusal);
  const reached = ctx.api.control.journal.all.filter((r) => r.path.startsWith('/no-auth/provider-token/'));
  s.expectEqual(`"${ctx.envName}" never received the callback`, 0, reached.length);
}

/** The scenario a misconfiguration runs as (for listings and the flow's first note). */
export function misconfigScenario(name: Misconfig): Scenario {
  return { name: `misconfig-${name}`, flow: 'connect', injections: [], ...SPECS[name].scenario };
}

/** Runs connect in a lab with the misconfiguration; ok means the system failed exactly as expected. */
export async function runMisconfig(
  opts: ConnectOptions & { misconfig: Misconfig },
  deps: FlowDeps,
): Promise<ConnectRun> {
  const spec = SPECS[opts.misconfig];
  const envName = opts.env ?? deps.config.defaultEnvironment;
  const profile = deps.profiles.get(opts.provider);
  if (profile?.restrictive && !spec.delivered) {
    throw new UsageError(
      `--misconfig ${opts.misconfig} concerns the router, which provider "${opts.provider}" bypasses`,
      { hint: 'Restrictive providers call back on publicApiUrl; pick a provider such as github.' },
    );
  }
  // Only an OAuth 2.0 code exchange carries a redirect_uri (RFC 6749 §4.1.3): not a fragment token, not OAuth 1.0a.
  if (
    opts.misconfig === 'exchange-redirect-uri' &&
    profile !== undefined &&
    (flowKind(profile) !== 'code' || profile.token === undefined)
  ) {
    throw new UsageError(
      `--misconfig exchange-redirect-uri needs a code exchange, which provider "${opts.provider}" does not make (${flowKind(profile)} flow)`,
      { hint: 'Pick a provider with an authorization-code exchange, such as github or gitlab.' },
    );
  }
  // The scenario machinery loads only for --misconfig: a plain connect, which imports this module, never runs it.
  const [{ createScenarioClock }, { planConnect }] = await Promise.all([
    import('../scenarios/inject/clock.js'),
    import('../scenarios/plan/connect.js'),
  ]);
  const clock = createScenarioClock(deps.now);
  const config = spec.configure?.(deps.config, envName) ?? deps.config;
  // The lab and every step run on the scenario's clock, against the misconfigured lab config.
  const runDeps: FlowDeps = { ...deps, config, now: clock.now };
  return withLab(
    undefined,
    () => labOptionsFor(runDeps, envName, opts),
    async (lab) => {
      spec.arrange?.(lab, envName);
      const api = lab.envs.get(envName);
      if (!api) throw new AppError('LAB_CONFIG_INVALID', `the lab did not start environment "${envName}"`);
      const scenario = misconfigScenario(opts.misconfig);
      // A proxying router hands the browser the environment's answer itself, so the path to /web/error
      // already starts at the router's hop.
      if (lab.router.mode === 'proxy' && scenario.expect.outcome === 'web-error' && scenario.expect.from === 'callback')
        scenario.expect = { ...scenario.expect, from: 'route' };
      const rt: ScenarioRuntime = {
        scenario,
        lab,
        envName,
        api,
        provider: opts.provider,
        other: undefined,
        clock,
        startedAt: clock.now(),
        callbackProvider: opts.provider,
        hops: {},
      };
      const plan = planConnect(rt);
      const cause: Step<ConnectContext> = {
        id: 'cause',
        title: `Failed as expected, because: ${scenario.title}`,
        run: async (ctx, s) => spec.cause(ctx, s),
      };
      const steps = [
        ...plan.steps,
        cause,
        isolationStep<ConnectContext>({ via: 'router', expectDelivered: () => spec.delivered }),
      ];
      const context = createConnectContext(lab, envName, opts, { ...deps, now: clock.now });
      plan.prepare(context);
      await plan.arrange();
      return runAgentFlow(steps, context, runDeps, {
        flow: 'connect',
        provider: opts.provider,
        env: envName,
        beforeStep: opts.beforeStep,
        result: () => ({ misconfig: opts.misconfig, expected: scenario.observes }),
      });
    },
  );
}

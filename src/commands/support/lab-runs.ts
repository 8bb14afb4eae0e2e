/**
 * The CLI's lab runs go through the library (issue 13: "the CLI is built on this API, not beside it"): a command
 * starts its lab with src/api/lab.ts `startLab`, runs its flow with the internal runs of src/api/runs.ts (the code
 * path under runConnect & co., plus the CLI's secret registry and --step hook) and closes the lab whatever
 * happens. The lab is the one a one-provider run always had (labOptionsFor: only the run's provider mocked, the
 * environments --env and --envs name, the router and success page asked), so `connect github` stays fast and
 * prints what it printed. smoke's cells and load's flows run the same way.
 */
import { internalLab, startLab, type CodestreamLab, type StartLabOptions } from '../../api/lab.js';
import { connectWith, scenarioWith, signupWith } from '../../api/runs.js';
import type { FlowDeps } from '../../flows/connect/run.js';
import { labOptionsFor, type LabRunOptions } from '../../flows/engine/lab-run.js';
import type { FlowOutcome } from '../../flows/engine/runner.js';
import { runLoad, type LoadOptions, type LoadResult } from '../../flows/load/run-load.js';
import type { ScenarioResult, Scenario, FlowKind } from '../../flows/scenarios/index.js';
import { connectSupports, signupSupports } from '../../flows/smoke/flows.js';
import type { SmokeFlow } from '../../flows/smoke/matrix.js';
import type { LabOptions } from '../../lab/start-lab.js';
import { defined } from '../../util/defined.js';

/** The lab of a one-provider CLI run (labOptionsFor's), as startLab's options; `extra` adds consent or proxy host. */
export function cliLabOptions(
  deps: Pick<FlowDeps, 'config' | 'profiles' | 'now' | 'fetch'>,
  env: string | undefined,
  opts: LabRunOptions,
  extra: Pick<LabOptions, 'consent' | 'proxyHost'> = {},
): StartLabOptions {
  const o = labOptionsFor(deps, env ?? deps.config.defaultEnvironment, opts, extra);
  return {
    config: o.config,
    profiles: o.profiles,
    providers: o.providers,
    ...defined({
      envs: o.envs,
      routerMode: o.routerMode,
      successPage: o.successPage,
      proxyHost: o.proxyHost,
      routerPort: o.routerPort,
      consent: o.consent,
      now: o.now,
      fetch: o.fetch,
    }),
  };
}

/** Starts the lab, runs `use` in it and closes it, whether `use` resolves or throws. */
export async function inLab<T>(options: StartLabOptions, use: (lab: CodestreamLab) => Promise<T>): Promise<T> {
  const lab = await startLab(options);
  try {
    return await use(lab);
  } finally {
    await lab.close();
  }
}

/** What a run's deps carry for the library's run options: the sink and the signal. */
export function runOptionsOf(deps: Pick<FlowDeps, 'onEvent' | 'signal'>): {
  onEvent: FlowDeps['onEvent'];
  signal?: AbortSignal;
} {
  return { onEvent: deps.onEvent, ...defined({ signal: deps.signal }) };
}

/** A scenario through the library's scenarioWith (a lab of its own), with the command's data, sink and secrets. */
export function scenarioViaApi(
  scenario: Scenario,
  opts: { provider?: string; env?: string },
  deps: FlowDeps,
): Promise<ScenarioResult> {
  return scenarioWith(deps, scenario, { ...opts, ...runOptionsOf(deps) }, { secrets: deps.secrets });
}

// note: a short interval so the matrix stays fast; the webview's 5 s is what `signup --poll` uses.
const SMOKE_POLL_INTERVAL_MS = 20;

/** smoke's flows (connect, signup), each cell in a lab of its own started through the library. */
export function defaultSmokeFlows(): Partial<Record<FlowKind, SmokeFlow>> {
  const cell =
    (run: (lab: CodestreamLab, cell: { provider: string; env: string }, deps: FlowDeps) => Promise<FlowOutcome>) =>
    ({ provider, env }: { provider: string; env: string }, deps: FlowDeps): Promise<FlowOutcome> =>
      inLab(cliLabOptions(deps, env, { provider }), (lab) => run(lab, { provider, env }, deps));
  return {
    connect: {
      supports: connectSupports,
      run: cell(
        async (lab, c, deps) =>
          (await connectWith(lab, { ...c, ...runOptionsOf(deps) }, { secrets: deps.secrets })).outcome,
      ),
    },
    signup: {
      supports: signupSupports,
      run: cell(
        async (lab, c, deps) =>
          (
            await signupWith(
              lab,
              { ...c, poll: true, intervalMs: SMOKE_POLL_INTERVAL_MS, timeoutMs: 10_000, ...runOptionsOf(deps) },
              { secrets: deps.secrets },
            )
          ).outcome,
      ),
    },
  };
}

/** A load: the lab of its providers and environments started through the library, each flow a library run in it. */
export function loadViaApi(opts: LoadOptions, deps: FlowDeps): Promise<LoadResult> {
  const labOptions: StartLabOptions = {
    config: deps.config,
    profiles: deps.profiles,
    providers: opts.providers,
    envs: opts.envs,
    now: deps.now,
    fetch: deps.fetch,
  };
  return inLab(labOptions, (lab) =>
    // The load engine seeds its pool users and reads every journal for its verdict: it gets the lab behind the handle.
    runLoad(opts, deps, internalLab(lab), {
      connect: (f, d) =>
        connectWith(
          lab,
          { provider: f.provider, env: f.env, user: f.user, ...runOptionsOf(d) },
          { secrets: d.secrets },
        ),
      signup: (f, d) =>
        signupWith(
          lab,
          {
            provider: f.provider,
            env: f.env,
            poll: true,
            intervalMs: f.intervalMs,
            identity: f.identity,
            ...runOptionsOf(d),
          },
          { secrets: d.secrets },
        ),
    }),
  );
}

/**
 * A load run: one lab, N connect or sign-up flows with C in flight, each with its own pool user (connect) or
 * provider identity (sign-up), then throughput, per-step latency and the isolation verdict. The lab may be lent
 * (bench runs several loads on one warm lab; the command starts it through the library); otherwise one is started
 * with every provider and environment asked. How one flow runs may be given too (the command's go through the
 * library's runs); by default the flow runners run in the lab.
 */
import type { FlowEvent } from '../../events.js';
import { startLab, type Lab } from '../../lab/start-lab.js';
import { seedUserPool } from '../../lab/user-pool.js';
import type { MockAccount } from '../../profiles/identity.js';
import { runConnect, type FlowDeps } from '../connect/run.js';
import type { FlowOutcome } from '../engine/runner.js';
import { runSignup } from '../signup/run.js';
import { isolationVerdict, type FlowTokens, type IsolationVerdict } from './isolation.js';
import { planFlows, poolSizeFor, type LoadFlow, type PlannedFlow } from './plan.js';
import { summarize, type Latency } from './stats.js';

export interface LoadOptions {
  flow: LoadFlow;
  flows: number;
  concurrency: number;
  providers: readonly string[];
  envs: readonly string[];
  /** Sign-up: milliseconds between check-signup polls (0: poll again as soon as an answer arrives). */
  intervalMs?: number;
  /** Keeps identities distinct across runs on one lent lab. */
  runId?: number;
  /** Called after each flow finishes. */
  onProgress?: (done: number, failed: number) => void;
  /** Keep the users the run seeded or signed up once its verdict is in (default: they are dropped). */
  keepUsers?: boolean;
}

export interface LoadFailure {
  flow: number;
  env: string;
  provider: string;
  step: string;
  message: string;
}

export interface LoadResult {
  flow: LoadFlow;
  flows: number;
  concurrency: number;
  providers: readonly string[];
  envs: readonly string[];
  passed: number;
  failed: number;
  wallMs: number;
  flowsPerSecond: number;
  /** Whole flows, then each step by id, in the order the steps ran. */
  latency: { flow: Latency; steps: Record<string, Latency> };
  failures: LoadFailure[];
  isolation: IsolationVerdict;
  ok: boolean;
}

/** One planned flow as a runner gets it: where, as whom (connect) or which person (sign-up), how fast to poll. */
export interface LoadFlowSpec {
  provider: string;
  env: string;
  user: string;
  identity: Partial<MockAccount>;
  intervalMs: number;
}

/** What a load needs back from one flow: its outcome and the tokens and user of its context. */
export interface LoadFlowRun {
  outcome: FlowOutcome;
  context: { issuedToken?: string | undefined; deliveredToken?: string | undefined; userId?: string | undefined };
}

/** How one connect and one sign-up of a load run; deps carry the flow's own sink. */
export interface LoadRunners {
  connect(flow: LoadFlowSpec, deps: FlowDeps): Promise<LoadFlowRun>;
  signup(flow: LoadFlowSpec, deps: FlowDeps): Promise<LoadFlowRun>;
}

/** The flow runners, in `lab`. */
function labRunners(lab: Lab): LoadRunners {
  return {
    connect: (f, d) => runConnect({ provider: f.provider, env: f.env, user: f.user }, d, lab),
    signup: (f, d) =>
      runSignup(
        { provider: f.provider, env: f.env, poll: true, intervalMs: f.intervalMs, identity: f.identity },
        d,
        lab,
      ),
  };
}

export async function runLoad(
  opts: LoadOptions,
  deps: FlowDeps,
  useLab?: Lab,
  runners?: LoadRunners,
): Promise<LoadResult> {
  const lab =
    useLab ??
    (await startLab({
      config: deps.config,
      profiles: deps.profiles,
      providers: opts.providers,
      envs: opts.envs,
      now: deps.now,
      fetch: deps.fetch,
    }));
  try {
    return await runIn(lab, opts, deps, runners ?? labRunners(lab));
  } finally {
    if (!useLab) await lab.close();
  }
}

async function runIn(lab: Lab, opts: LoadOptions, deps: FlowDeps, runners: LoadRunners): Promise<LoadResult> {
  const users =
    opts.flow === 'connect'
      ? // A providerInfo slot (env × user × provider) takes one connect per lab (the isolation step's check), so
        // each run on a lent lab seeds its own users.
        seedUserPool(
          lab,
          poolSizeFor(opts.flows, opts.envs.length, opts.providers.length),
          `load-r${opts.runId ?? 0}`,
        ).map((u) => u.id)
      : [];
  const plan = planFlows(opts.flows, opts.envs, opts.providers, users, opts.runId ?? 0);
  const stepMs = new Map<string, number[]>();
  const flowMs: number[] = [];
  const failures: LoadFailure[] = [];
  const tokens: FlowTokens[] = [];
  let done = 0;
  let next = 0;
  const began = performance.now();

  const one = async (p: PlannedFlow): Promise<void> => {
    let failedStep = '';
    let message = '';
    // Only what the summary needs is kept: the http events of 1000 flows would be most of the heap.
    const onEvent = (e: FlowEvent): void => {
      if (e.type === 'step-succeeded' && e.skipped !== true) {
        const list = stepMs.get(e.step);
        if (list) list.push(e.ms);
        else stepMs.set(e.step, [e.ms]);
      } else if (e.type === 'step-failed') {
        failedStep = e.step;
        message = e.error.message;
      } else if (e.type === 'check-failed' && message === '') {
        message = `${e.check}: expected ${e.expected}, got ${e.actual}`;
      }
    };
    const d: FlowDeps = { ...deps, onEvent, secrets: { add: () => undefined } };
    const spec = {
      provider: p.provider,
      env: p.env,
      user: p.user,
      identity: p.identity,
      intervalMs: opts.intervalMs ?? 0,
    };
    const run = opts.flow === 'connect' ? await runners.connect(spec, d) : await runners.signup(spec, d);
    const ctx = run.context;
    flowMs.push(run.outcome.ms);
    if (!run.outcome.ok)
      failures.push({
        flow: p.index,
        env: p.env,
        provider: p.provider,
        step: failedStep || (run.outcome.failedStep ?? '?'),
        message: message || (run.outcome.error?.message ?? 'failed'),
      });
    tokens.push({
      plan: p,
      ok: run.outcome.ok,
      issuedToken: ctx.issuedToken,
      deliveredToken: ctx.deliveredToken,
      userId: ctx.userId,
    });
    done++;
    opts.onProgress?.(done, failures.length);
  };

  // C workers take the next planned flow until none is left: C flows in flight at every moment.
  const worker = async (): Promise<void> => {
    while (next < plan.length) {
      const p = plan[next++];
      if (p) await one(p);
      if (deps.signal?.aborted === true) return;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, plan.length)) }, worker));
  const wallMs = performance.now() - began;

  const isolation = isolationVerdict(opts.flow, lab, tokens);
  // The verdict is in: the users this run seeded or signed up are dropped, so a lab that runs load after load
  // (serve, a library suite, the bench's memory figure) does not grow by a user per flow (issue 14).
  if (opts.keepUsers !== true) {
    const own = new Set([...users, ...tokens.flatMap((t) => (t.userId === undefined ? [] : [t.userId]))]);
    const seeded = new Set([lab.config.defaultUser, ...lab.config.users.map((u) => u.id)]);
    for (const id of own) if (!seeded.has(id)) lab.removeUser(id);
  }
  const steps: Record<string, Latency> = {};
  for (const [id, samples] of stepMs) steps[id] = summarize(samples);
  const failed = failures.length;
  return {
    flow: opts.flow,
    flows: plan.length,
    concurrency: opts.concurrency,
    providers: opts.providers,
    envs: opts.envs,
    passed: done - failed,
    failed,
    wallMs,
    flowsPerSecond: wallMs > 0 ? (done * 1000) / wallMs : 0,
    latency: { flow: summarize(flowMs), steps },
    failures,
    isolation,
    ok: failed === 0 && done === plan.length && isolation.ok,
  };
}

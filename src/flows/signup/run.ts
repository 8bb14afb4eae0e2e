/** Starts the lab a sign-up needs, builds the webview/agent side, runs the sign-up steps, closes everything. */
import { ApiClient } from '../../agent-sim/api-client.js';
import { realClock, type PollClock } from '../../agent-sim/poller.js';
import type { FlowEvent } from '../../events.js';
import type { Lab } from '../../lab/start-lab.js';
import { defined } from '../../util/defined.js';
import type { RouterMode } from '../../mock-edge/router.js';
import type { MockAccount } from '../../profiles/identity.js';
import { agentContextFor, labOptionsFor, runFlowIn, withLab } from '../engine/lab-run.js';
import type { FlowDeps } from '../connect/run.js';
import type { FlowOutcome, RunFlowOptions } from '../engine/runner.js';
import { signupBrowserSteps, signupPollSteps, type SignupContext } from './steps.js';

export interface SignupOptions {
  provider: string;
  env?: string;
  /** Environments to start besides `env` (`--envs`); default: every environment of the lab config. */
  envs?: readonly string[];
  /** Poll check-signup as the agent (the issue's --poll); otherwise stop after the browser leg. */
  poll: boolean;
  intervalMs?: number;
  timeoutMs?: number;
  noSignup?: boolean;
  /**
   * hostUrl for the start URL. Default: none, except for providers whose endpoints live on the customer's
   * host (Okta), which get the lab's mock of that host.
   */
  hostUrl?: string;
  /** Queue the provider's `deny` fault: the user clicks Deny at the consent screen. */
  deny?: boolean;
  /** Fields of the account the provider signs in next (e.g. an email a CS user already has). */
  identity?: Partial<MockAccount>;
  successPage?: 'marketing' | 'api';
  /** How the auth-origin router delivers the callback (`--router-mode`). */
  routerMode?: RouterMode;
  /** The poller's clock; tests pass a fake one. */
  clock?: PollClock;
  /** Awaited before each step (`--step`); see RunFlowOptions.beforeStep. */
  beforeStep?: RunFlowOptions<SignupContext>['beforeStep'];
}

/** The check-signup request a person or a real agent can make once the browser leg is done. */
export interface CheckSignupRequest {
  method: 'PUT';
  url: string;
  body: { token: string };
  curl: string;
}

export interface SignupRun {
  outcome: FlowOutcome;
  context: SignupContext;
  checkSignup: CheckSignupRequest;
}

/**
 * Runs one sign-up. With `useLab` the lab is left running (tests, serve); otherwise it is closed before
 * returning unless `keepLab` is given, which receives it and must close it (the no-poll command waits on it).
 */
export async function runSignup(
  opts: SignupOptions,
  deps: FlowDeps,
  useLab?: Lab,
  keepLab?: (lab: Lab, run: SignupRun) => Promise<void>,
): Promise<SignupRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  return withLab(
    useLab,
    () => labOptionsFor(deps, envName, opts),
    async (lab) => {
      let context: SignupContext | undefined;
      try {
        const ctx = createSignupContext(lab, envName, opts, deps);
        context = ctx;
        const outcome = await runFlowIn(opts.poll ? signupPollSteps : signupBrowserSteps, ctx, deps, {
          flow: 'signup',
          provider: opts.provider,
          env: envName,
          beforeStep: opts.beforeStep,
          result: () => ({ ...resultOf(ctx), ...(opts.poll ? {} : { checkSignup: checkSignupRequest(ctx) }) }),
        });
        const run = { outcome, context: ctx, checkSignup: checkSignupRequest(ctx) };
        if (keepLab && !useLab) await keepLab(lab, run);
        return run;
      } finally {
        await stopPoller(context);
      }
    },
  );
}

/** A poller still running (the flow stopped before awaiting it) must end before its servers do. */
export async function stopPoller(context: SignupContext | undefined): Promise<void> {
  context?.pollAbort.abort();
  await context?.poll?.catch(() => undefined);
}

/** The exact request to make by hand, as a curl line. */
export function checkSignupRequest(ctx: SignupContext): CheckSignupRequest {
  const url = `${ctx.api.url}/no-auth/check-signup`;
  const body = { token: ctx.signupToken ?? '' };
  return {
    method: 'PUT',
    url,
    body,
    curl: `curl -sS -X PUT '${url}' -H 'content-type: application/json' -d '${JSON.stringify(body)}'`,
  };
}

/** The webview/agent side of one sign-up; failure scenarios build on it too. */
export function createSignupContext(lab: Lab, envName: string, opts: SignupOptions, deps: FlowDeps): SignupContext {
  const { base } = agentContextFor(lab, envName, opts.provider, deps);
  const { api, provider, profile } = base;
  deps.secrets.add(deps.config.clients[opts.provider]?.clientSecret);
  const pollEvents: FlowEvent[] = [];
  const hostUrl = opts.hostUrl ?? (profile.identity?.base === 'hostUrl' ? provider.url : undefined);
  return {
    ...base,
    client: new ApiClient({ baseUrl: api.url, fetch: deps.fetch, now: deps.now, onEvent: deps.onEvent }),
    pollClient: new ApiClient({
      baseUrl: api.url,
      fetch: deps.fetch,
      now: deps.now,
      onEvent: (e) => pollEvents.push(e),
    }),
    pollEvents,
    clock: opts.clock ?? realClock(deps.now),
    intervalMs: opts.intervalMs ?? 5000,
    timeoutMs: opts.timeoutMs ?? 300_000,
    noSignup: opts.noSignup ?? false,
    ...defined({ hostUrl }),
    deny: opts.deny ?? false,
    ...defined({ identity: opts.identity }),
    pollAbort: new AbortController(),
    ...defined({ signal: deps.signal }),
  };
}

function resultOf(ctx: SignupContext): Record<string, unknown> {
  const outcome = ctx.outcome;
  return {
    signupToken: ctx.signupToken ?? null,
    callbackError: ctx.callbackError ?? null,
    loginResult:
      outcome === undefined || outcome.kind === 'timed-out' ? (outcome ? 'TIMED_OUT' : null) : outcome.result,
    polls: outcome?.stats.calls ?? null,
    pendingPolls: outcome?.stats.pending ?? null,
    issuedToken: ctx.issuedToken ?? null,
    deliveredToken: ctx.deliveredToken ?? null,
    tokenDelivered: ctx.issuedToken !== undefined && ctx.deliveredToken === ctx.issuedToken,
  };
}

/** How waiting for a hand-made check-signup ended. */
export type CheckWaitResult = 'checked' | 'timed-out' | 'interrupted';

/**
 * After a browser leg without polling: keeps the lab up until the signup record was answered once (by a
 * person with curl or a real agent), the wait runs out, or the run is interrupted.
 */
export async function waitForCheckSignup(
  run: SignupRun,
  opts: { timeoutMs: number; now: () => number; signal?: AbortSignal | undefined },
): Promise<CheckWaitResult> {
  const { api } = run.context;
  const token = run.checkSignup.body.token;
  const clock = realClock(opts.now);
  const deadline = opts.now() + opts.timeoutMs;
  // note: the record lives in this process, so looking at it is cheaper than any notification scheme.
  while (api.control.store.signup(token) !== undefined) {
    if (opts.now() >= deadline) return 'timed-out';
    try {
      await clock.sleep(Math.min(100, deadline - opts.now()), opts.signal);
    } catch {
      return 'interrupted';
    }
  }
  return 'checked';
}

/** The flows smoke knows how to run, one adapter each: which providers they apply to and how to run a cell. */
import { runConnect } from '../connect/run.js';
import { runSignup } from '../signup/run.js';
import type { SmokeFlow } from './matrix.js';
import type { FlowKind } from '../scenarios/index.js';

/** "Connect to X" for every provider profile (enterprise ones use the host registered for the team). */
export const connectSmokeFlow: SmokeFlow = {
  run: async ({ provider, env }, deps) => (await runConnect({ provider, env }, deps)).outcome,
  supports: (provider, deps) => deps.profiles.has(provider),
};

// note: a short interval so the matrix stays fast; the webview's 5 s is what `signup --poll` uses.
const SMOKE_POLL_INTERVAL_MS = 20;

/** "Sign up with X" for providers that support sign-in and have an identity lookup. */
export const signupSmokeFlow: SmokeFlow = {
  run: async ({ provider, env }, deps) =>
    (await runSignup({ provider, env, poll: true, intervalMs: SMOKE_POLL_INTERVAL_MS, timeoutMs: 10_000 }, deps))
      .outcome,
  supports: (provider, deps) => {
    const profile = deps.profiles.get(provider);
    return (
      profile !== undefined &&
      profile.supportsSignup &&
      profile.identity !== undefined &&
      deps.config.clients[provider] !== undefined
    );
  },
};

/** The flows a default smoke run covers. */
export function defaultSmokeFlows(): Partial<Record<FlowKind, SmokeFlow>> {
  return { connect: connectSmokeFlow, signup: signupSmokeFlow };
}

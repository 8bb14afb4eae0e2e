/** The flows smoke knows how to run, one adapter each: which providers they apply to and how to run a cell. */
import { runConnect } from './run-connect.js';
import type { SmokeFlow } from './smoke.js';
import type { FlowKind } from './scenarios/index.js';

/** "Connect to X" for every provider with a CodeStream client in the lab config. */
export const connectSmokeFlow: SmokeFlow = {
  run: async ({ provider, env }, deps) => (await runConnect({ provider, env }, deps)).outcome,
  supports: (provider, deps) => deps.config.clients[provider] !== undefined,
};

/** The flows a default smoke run covers. */
export function defaultSmokeFlows(): Partial<Record<FlowKind, SmokeFlow>> {
  return { connect: connectSmokeFlow };
}

/** Starts a lab of several environments plus the VPN proxy, runs one provider-initiated call, closes all. */
import { AppError } from '../../errors.js';
import type { Lab } from '../../lab/start-lab.js';
import { defined } from '../../util/defined.js';
import type { InteractiveProvider, Tamper } from '../../agent-sim/provider-calls.js';
import { expectedOutcome, interactSteps, type InteractContext } from './steps.js';
import type { EnvironmentConfig } from '../../lab/config.js';
import { agentParts, labOptionsFor, runAgentFlow, withLab } from '../engine/lab-run.js';
import type { FlowDeps } from '../connect/run.js';
import type { FlowOutcome } from '../engine/runner.js';

export interface InteractOptions {
  provider: InteractiveProvider;
  env?: string;
  /** Environments to start besides `env`; default: every environment of the lab config. */
  envs?: readonly string[];
  tamper?: Tamper;
  proxyHost?: 'same' | 'separate';
  /** The CodeStream user whose me-channel hears of the call: a lab config user or a seeded one; default: the config's. */
  user?: string;
}

export interface InteractRun {
  outcome: FlowOutcome;
  context: InteractContext;
}

/** Runs one interact in a fresh lab; `useLab` lets tests reuse a running one. */
export async function runInteract(opts: InteractOptions, deps: FlowDeps, useLab?: Lab): Promise<InteractRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  // Provider-initiated calls need no mock OAuth provider.
  const labOptions = () => ({
    ...labOptionsFor(deps, envName, { provider: opts.provider, envs: opts.envs }),
    providers: [],
    proxyHost: opts.proxyHost ?? 'same',
  });
  return withLab(useLab, labOptions, async (lab) => {
    const context = createInteractContext(lab, envName, opts, deps);
    return runAgentFlow(interactSteps(opts.provider), context, deps, {
      flow: 'interact',
      provider: opts.provider,
      env: envName,
      result: () => ({
        expected: expectedOutcome(opts.tamper),
        tamper: opts.tamper ?? null,
        status: context.answer?.status ?? null,
        proxy: { url: lab.vpnProxy.url, host: lab.vpnProxy.host },
      }),
    });
  });
}

function environmentConfig(lab: Lab, envName: string): EnvironmentConfig {
  const env = lab.config.environments.find((e) => e.name === envName);
  if (!env) throw new AppError('LAB_CONFIG_INVALID', `environment "${envName}" is not in the lab config`);
  return env;
}

/** The agent's side of one interact, in a running lab; failure scenarios build on it too. */
export function createInteractContext(
  lab: Lab,
  envName: string,
  opts: InteractOptions,
  deps: FlowDeps,
): InteractContext {
  const api = lab.envs.get(envName);
  if (!api) throw new AppError('LAB_CONFIG_INVALID', `the lab runs no environment "${envName}"`);
  const agent = agentParts(lab, api, deps, opts.user);
  return {
    lab,
    envName,
    provider: opts.provider,
    ...defined({ tamper: opts.tamper }),
    api,
    // The provider's copy of its app settings (lab.json), which the environment's own config must match.
    env: environmentConfig(lab, envName),
    now: deps.now,
    fetch: deps.fetch,
    secrets: deps.secrets,
    onEvent: deps.onEvent,
    ...agent,
    ...defined({ signal: deps.signal }),
  };
}

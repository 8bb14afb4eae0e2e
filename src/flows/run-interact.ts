/** Starts a lab of several environments plus the VPN proxy, runs one provider-initiated call, closes all. */
import { ApiClient } from '../agent-sim/api-client.js';
import { BroadcastClient } from '../agent-sim/broadcast-client.js';
import { AppError } from '../errors.js';
import { startLab, type Lab } from '../lab.js';
import type { InteractiveProvider, Tamper } from '../mock-provider/interactive.js';
import { expectedOutcome, interactSteps, type InteractContext } from './interact.js';
import { labEnvironments } from './lab-envs.js';
import type { FlowDeps } from './run-connect.js';
import { runFlow, type FlowOutcome } from './runner.js';

export interface InteractOptions {
  provider: InteractiveProvider;
  env?: string;
  /** Environments to start besides `env`; default: every environment of the lab config. */
  envs?: readonly string[];
  tamper?: Tamper;
  proxyHost?: 'same' | 'separate';
  broadcastTimeoutMs?: number;
}

export interface InteractRun {
  outcome: FlowOutcome;
  context: InteractContext;
}

/** Runs one interact in a fresh lab; `useLab` lets tests reuse a running one. */
export async function runInteract(opts: InteractOptions, deps: FlowDeps, useLab?: Lab): Promise<InteractRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  const lab =
    useLab ??
    (await startLab({
      config: deps.config,
      profiles: deps.profiles,
      providers: [], // provider-initiated calls need no mock OAuth provider
      envs: labEnvironments(deps.config, envName, opts.envs),
      proxyHost: opts.proxyHost ?? 'same',
      now: deps.now,
      fetch: deps.fetch,
    }));
  try {
    const context = createInteractContext(lab, envName, opts, deps);
    const outcome = await runFlow(interactSteps(opts.provider), context, {
      flow: 'interact',
      provider: opts.provider,
      env: envName,
      onEvent: deps.onEvent,
      now: deps.now,
      ...(deps.signal ? { signal: deps.signal } : {}),
      result: () => ({
        expected: expectedOutcome(opts.tamper),
        tamper: opts.tamper ?? null,
        status: context.answer?.status ?? null,
        proxy: { url: lab.vpnProxy.url, host: lab.vpnProxy.host },
      }),
    });
    await context.broadcasts.close();
    return { outcome, context };
  } finally {
    if (!useLab) await lab.close();
  }
}

function createInteractContext(lab: Lab, envName: string, opts: InteractOptions, deps: FlowDeps): InteractContext {
  const api = lab.envs.get(envName);
  if (!api) throw new AppError('LAB_CONFIG_INVALID', `the lab runs no environment "${envName}"`);
  const user = deps.config.users.find((u) => u.id === deps.config.defaultUser);
  if (!user) throw new AppError('LAB_CONFIG_INVALID', `default user "${deps.config.defaultUser}" is not in the lab config`);
  deps.secrets.add(user.accessToken);
  return {
    lab,
    envName,
    provider: opts.provider,
    ...(opts.tamper === undefined ? {} : { tamper: opts.tamper }),
    api,
    // The provider's copy of its app settings (lab.json), which the environment's own config must match.
    env: lab.config.environments.find((e) => e.name === envName) ?? api.ctx.env,
    now: deps.now,
    fetch: deps.fetch,
    secrets: deps.secrets,
    onEvent: deps.onEvent,
    client: new ApiClient({ baseUrl: api.url, accessToken: user.accessToken, fetch: deps.fetch, now: deps.now, onEvent: deps.onEvent }),
    broadcasts: new BroadcastClient(),
    userId: user.id,
    broadcasterToken: user.broadcasterToken,
    teamId: deps.config.defaultTeam,
    broadcastTimeoutMs: opts.broadcastTimeoutMs ?? 5000,
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

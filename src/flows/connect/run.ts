/** Starts the lab a connect needs, builds the agent, runs the connect steps, closes everything. */
import type { FlowLab, Lab } from '../../lab/start-lab.js';
import { defined } from '../../util/defined.js';
import type { RouterMode } from '../../mock-edge/router.js';
import { connectStepsFor, type ConnectContext } from './steps.js';
import { registeredHost } from './expect.js';
import {
  agentContextFor,
  agentParts,
  labOptionsFor,
  runAgentFlow,
  withLab,
  type LabRunDeps,
} from '../engine/lab-run.js';
import type { FlowOutcome, RunFlowOptions } from '../engine/runner.js';

export interface ConnectOptions {
  provider: string;
  env?: string;
  /** Environments to start besides `env` (`--envs`); default: every environment of the lab config. */
  envs?: readonly string[];
  /** How the auth-origin router delivers the callback (`--router-mode`). */
  routerMode?: RouterMode;
  entry?: 'web' | 'no-auth';
  successPage?: 'marketing' | 'api';
  /** The CodeStream user who connects: a lab config user or a pool user the lab seeded; default: the config's. */
  user?: string;
  /** Enterprise host (`--host`); default: the first host the team registers for the provider. */
  host?: string;
  /** Awaited before each step (`--step`); see RunFlowOptions.beforeStep. */
  beforeStep?: RunFlowOptions<ConnectContext>['beforeStep'];
}

/** What a flow runner needs from its caller (the CLI, serve, tests). */
export type FlowDeps = LabRunDeps;

export interface ConnectRun {
  outcome: FlowOutcome;
  context: ConnectContext;
}

/** Runs one connect in a fresh lab; `useLab` lets tests and smoke reuse a running one. */
export async function runConnect(opts: ConnectOptions, deps: FlowDeps, useLab?: Lab): Promise<ConnectRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  // A real server only accepts the redirect URI registered with it, so a custom profile may fix the router's port.
  const labOptions = labOptionsFor(deps, envName, opts);
  return withLab(
    useLab,
    () => labOptions,
    async (lab) => {
      const context = createConnectContext(lab, envName, opts, deps);
      return runAgentFlow(connectStepsFor(context.profile), context, deps, {
        flow: 'connect',
        provider: opts.provider,
        env: envName,
        beforeStep: opts.beforeStep,
        result: () => ({
          issuedToken: context.issuedToken ?? null,
          deliveredToken: context.deliveredToken ?? null,
          // Without a provider journal (custom profiles) the stored token is what the agent must receive.
          tokenDelivered:
            context.deliveredToken !== undefined &&
            context.deliveredToken === (context.providerJournal ? context.issuedToken : context.storedToken),
        }),
      });
    },
  );
}

/** The agent, browser and lab handles a connect's steps share; the real-browser flow builds on it. */
export function createConnectContext(
  lab: FlowLab,
  envName: string,
  opts: ConnectOptions,
  deps: FlowDeps,
): ConnectContext {
  const { base, mocked } = agentContextFor(lab, envName, opts.provider, deps);
  const { api, provider, profile } = base;
  const host =
    opts.host ?? (profile.enterprise ? registeredHost(deps.config, deps.config.defaultTeam, profile.id) : undefined);
  // Where authorize must answer: the origin that plays the host in the lab, a real server's, or the mock's.
  const hostOrigin = host === undefined ? undefined : lab.hostOrigins.get(profile.id)?.get(host.toLowerCase());
  const hostUrl = profile.identity?.base === 'hostUrl' ? provider.url : undefined;
  const agent = agentParts(lab, api, deps, opts.user);
  deps.secrets.add(deps.config.clients[opts.provider]?.clientSecret);
  return {
    ...base,
    ...agent,
    host,
    hostUrl,
    authorizeOrigin: originOf(hostOrigin ?? host) ?? new URL(provider.url).origin,
    providerJournal: mocked,
    entry: opts.entry ?? 'web',
    ...defined({ signal: deps.signal }),
  };
}

// A host the user typed may not be a URL ("git.example.com"); the start step then shows what the API made of it.
function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

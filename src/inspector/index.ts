/**
 * `serve`'s inspector (issue 17): taps the lab's servers, groups their hops into flows, marks the contract's
 * checks on them and serves a page that draws every flow live on its own origin.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from '../lab/start-lab.js';
import { listen, type RunningServer } from '../listen.js';
import { environmentOf } from '../state.js';
import { parseJsonObject } from '../util/json.js';
import { packageRoot } from '../util/paths.js';
import { createSecretRegistry, noRedaction, type SecretRegistry } from '../util/secrets.js';
import { checksFor, type CheckContext } from './checks.js';
import { FlowStore, MAX_FLOWS } from './flows.js';
import { hopOf, type Hop } from './hop.js';
import { keysOf, secretsOf } from './keys.js';
import { createInspectorApp } from './server.js';
import { tapServers, type TappedServer } from './tap.js';

export interface InspectorOptions {
  /** serve --show-secrets: tokens whole in the page and its answers. */
  showSecrets?: boolean;
  host?: string;
  publicHost?: string;
  port?: number;
  now?: () => number;
  maxFlows?: number;
}

export interface RunningInspector extends RunningServer {
  readonly store: FlowStore;
}

export async function startInspector(lab: Lab, opts: InspectorOptions = {}): Promise<RunningInspector> {
  const now = opts.now ?? Date.now;
  const secrets: SecretRegistry = opts.showSecrets === true ? noRedaction : createSecretRegistry();
  for (const client of Object.values(lab.config.clients)) secrets.add(client.clientSecret);
  for (const user of lab.config.users) {
    secrets.add(user.accessToken);
    secrets.add(user.broadcasterToken);
  }
  const store = new FlowStore(opts.maxFlows ?? MAX_FLOWS);
  const ctx = checkContext(lab);
  const envOfCallback = (name: string): string | undefined =>
    lab.config.environments.find((e) => e.callbackEnvironment === name && lab.envs.has(e.name))?.name;
  const envOfState = (state: string): string | undefined => {
    const prefix = environmentOf(state);
    return prefix === undefined ? undefined : envOfCallback(prefix);
  };

  const tap = tapServers(
    labServers(lab),
    (exchange) => {
      const hop: Hop = hopOf(exchange, envOfState);
      hop.checks = checksFor(hop, ctx);
      for (const secret of secretsOf(hop)) secrets.add(secret);
      store.add(hop, keysOf(hop, appKeyOf(lab, hop)));
    },
    now,
  );
  try {
    const app = createInspectorApp({ store, secrets, creatorVersion: await packageVersion(), envOfCallback });
    const server = await listen(app, {
      ...(opts.host === undefined ? {} : { host: opts.host }),
      ...(opts.publicHost === undefined ? {} : { publicHost: opts.publicHost }),
      ...(opts.port === undefined ? {} : { port: opts.port }),
    });
    return {
      ...server,
      store,
      close: async () => {
        tap.close();
        await server.close();
      },
    };
  } catch (err) {
    tap.close();
    throw err;
  }
}

function labServers(lab: Lab): TappedServer[] {
  return [
    { box: 'router', name: 'router', url: lab.router.url, server: lab.router.server },
    { box: 'marketing', name: 'marketing', url: lab.marketing.url, server: lab.marketing.server },
    ...[...lab.providers].map(([id, p]): TappedServer => ({ box: 'provider', name: id, url: p.url, server: p.server })),
    ...[...lab.envs].map(([name, api]): TappedServer => ({ box: 'api', name, url: api.url, server: api.server })),
  ];
}

function checkContext(lab: Lab): CheckContext {
  const envOrigins = new Map<string, string>();
  const callbackEnvs = new Map<string, string | null>();
  const apiOrigins = new Map<string, string>();
  for (const env of lab.config.environments) {
    const api = lab.envs.get(env.name);
    if (api === undefined) continue;
    callbackEnvs.set(env.name, env.callbackEnvironment);
    apiOrigins.set(env.name, api.url);
    if (env.callbackEnvironment !== null) envOrigins.set(env.callbackEnvironment, api.url);
  }
  return { authOrigin: lab.authOrigin, envOrigins, callbackEnvs, apiOrigins, profiles: lab.profiles };
}

// A provider call (Slack, MS Teams) is tied by its app and the environment the proxy chose (its journal).
function appKeyOf(lab: Lab, hop: Hop): string | undefined {
  if (hop.to !== 'proxy') return undefined;
  const hit = [...lab.vpnProxy.hits]
    .reverse()
    .find((h) => h.provider === hop.provider && h.at >= hop.startedAt && h.at <= hop.startedAt + hop.ms);
  return hit === undefined ? undefined : `app:${hit.provider}:${hit.appId ?? '?'}:${hit.env ?? '?'}`;
}

async function packageVersion(): Promise<string> {
  const version = parseJsonObject(await readFile(join(packageRoot, 'package.json'), 'utf8'))?.version;
  return typeof version === 'string' ? version : '0.0.0';
}

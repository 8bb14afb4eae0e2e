/** What the agent-side flows share: the lab, the simulated agent and browser, and what steps learn. */
import type { Actor } from '../../events.js';
import type { ApiClient } from '../../agent-sim/api-client.js';
import type { BroadcastClient } from '../../agent-sim/broadcast-client.js';
import { HeadlessBrowser } from '../../agent-sim/browser.js';
import type { LoginForm } from '../../agent-sim/navigate.js';
import type { EventSink } from '../../events.js';
import type { FlowLab, LabApi } from '../../lab/start-lab.js';
import type { RunningProvider } from '../../mock-provider/index.js';
import type { ProviderProfile } from '../../profiles/profile.js';

/** Anything that learns secrets registers them so renderers can shorten them. */
export interface SecretSink {
  add(value: string | undefined): void;
}

export interface AgentContext {
  lab: FlowLab;
  envName: string;
  api: LabApi;
  provider: RunningProvider;
  profile: ProviderProfile;
  now: () => number;
  fetch: typeof fetch;
  secrets: SecretSink;
  onEvent: EventSink;
  browser: HeadlessBrowser;
  /** Custom profiles with a `login` block: what the headless browser types in at the real server. */
  login?: LoginForm | undefined;
}

/** Maps each lab origin to the actor that answers there, so the browser can name hops and stay inside. */
export function labOrigins(lab: FlowLab): Map<string, Actor> {
  const origins = new Map<string, Actor>();
  origins.set(new URL(lab.router.url).origin, 'router');
  origins.set(new URL(lab.marketing.url).origin, 'marketing');
  for (const p of lab.providers.values()) origins.set(new URL(p.url).origin, 'provider');
  // Custom profiles: the real server the user pointed the profile at is part of this run too.
  for (const origin of lab.externalOrigins?.values() ?? []) origins.set(origin, 'provider');
  for (const api of lab.envs.values()) origins.set(new URL(api.url).origin, 'api');
  return origins;
}

export function createBrowser(
  lab: FlowLab,
  deps: { fetch: typeof globalThis.fetch; now: () => number; onEvent: EventSink; secrets?: SecretSink },
): HeadlessBrowser {
  const { fetch, now, onEvent, secrets } = deps;
  return new HeadlessBrowser({ origins: labOrigins(lab), fetch, now, onEvent, ...(secrets ? { secrets } : {}) });
}

export type { ApiClient, BroadcastClient };

/** Test fixtures: a lab on 127.0.0.1:0 with teardown, an injectable clock, recorded events. */
import { test as base } from 'vitest';
import { recordEvents, type FlowEvent } from '../../src/events.js';
import { loadLabConfig, type LabConfig } from '../../src/lab/config.js';
import { startLab, type Lab, type LabOptions } from '../../src/lab/start-lab.js';
import { loadProfiles, type ProviderProfile } from '../../src/profiles/profile.js';
import type { FlowDeps } from '../../src/flows/connect/run.js';
import { loopbackFetch } from '../../src/util/loopback-fetch.js';

/** A clock tests move by hand: no waiting for expiry. */
export function createClock(start = Date.UTC(2026, 10, 28, 12, 0, 0)): {
  now: () => number;
  advance(ms: number): void;
} {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

let cached: Promise<{ config: LabConfig; profiles: Map<string, ProviderProfile> }> | undefined;
/** fixtures/lab.json and fixtures/providers, read once per test file. */
export function labData(): Promise<{ config: LabConfig; profiles: Map<string, ProviderProfile> }> {
  cached ??= Promise.all([loadLabConfig(), loadProfiles()]).then(([config, profiles]) => ({ config, profiles }));
  return cached;
}

/** Starts a lab with the fixture data; the caller closes it (or use the `lab` fixture below). */
export async function startTestLab(overrides: Partial<LabOptions> = {}): Promise<Lab> {
  const { config, profiles } = await labData();
  return startLab({ config, profiles, providers: ['github'], ...overrides });
}

/** Flow dependencies with recorded events and a registry that keeps nothing. */
export async function flowDeps(overrides: Partial<FlowDeps> = {}): Promise<FlowDeps & { events: FlowEvent[] }> {
  const { config, profiles } = await labData();
  const { onEvent, events } = recordEvents();
  return {
    config,
    profiles,
    fetch: loopbackFetch,
    now: Date.now,
    onEvent,
    secrets: { add: () => undefined },
    events,
    ...overrides,
  };
}

/** `test` with a `lab` fixture (github, env local) closed after each test. */
export const labTest = base.extend<{ lab: Lab }>({
  // eslint-disable-next-line no-empty-pattern
  lab: async ({}, use) => {
    const lab = await startTestLab();
    await use(lab);
    await lab.close();
  },
});

/** Location of a manual-redirect response, resolved against the request URL. */
export async function getManual(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; location: string | null; body: string; headers: Headers }> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), body: await res.text(), headers: res.headers };
}

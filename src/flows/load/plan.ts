/**
 * The plan of a load run: which environment, provider, user (pool) and provider identity each flow gets, so that
 * no two flows in one run share a providerInfo slot (env × user × provider) or a sign-up identity.
 */
import type { MockAccount } from '../../profiles/identity.js';

export type LoadFlow = 'connect' | 'signup';

export interface PlannedFlow {
  index: number;
  env: string;
  provider: string;
  /** The pool user who connects (connect only). */
  user: string;
  /** The person who signs in at the provider (sign-up only): distinct per flow and per run. */
  identity: Partial<MockAccount>;
}

/** Pool users a connect run needs: one per (env × provider) slot group, so every slot is used once. */
export function poolSizeFor(flows: number, envs: number, providers: number): number {
  return Math.max(1, Math.ceil(flows / Math.max(1, envs * providers)));
}

/**
 * Flow i runs in env i mod E, with provider (i div E) mod P and pool user i div (E × P): the first E × P flows
 * cover every env and provider once, then the next user takes over. `runId` keeps identities distinct across
 * runs on one lab (bench).
 */
export function planFlows(
  count: number,
  envs: readonly string[],
  providers: readonly string[],
  users: readonly string[],
  runId = 0,
): PlannedFlow[] {
  const E = envs.length;
  const P = providers.length;
  return Array.from({ length: count }, (_, index) => {
    const n = runId * 1_000_000 + index;
    return {
      index,
      env: envs[index % E] ?? '',
      provider: providers[Math.floor(index / E) % P] ?? '',
      user: users[Math.floor(index / (E * P)) % Math.max(1, users.length)] ?? '',
      identity: {
        id: 50_000_000 + n,
        username: `load-${n}`,
        fullName: `Load Person ${n}`,
        email: `load-${n}@load.example`,
        publicEmail: true,
      },
    };
  });
}

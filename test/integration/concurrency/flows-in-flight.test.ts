/**
 * Many flows in flight in one lab (issue 11): 256 concurrent connects over three environments and 16 pool users,
 * and 256 concurrent sign-ups each signed in at the provider as a different person. Every flow passes its own
 * checks (correlated by its code, state, signup token and user, never "the latest entry"); every token is
 * delivered exactly once, to its own user, in its own environment; the stores hold exactly the expected keys.
 */
import { describe, expect, it } from 'vitest';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { seedUserPool } from '../../../src/lab/user-pool.js';
import { getPath } from '../../../src/util/dotted.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

const ENVS = ['local', 'pd', 'qa'] as const;
// Six code-flow providers × 3 environments × 16 users = 288 slots: each connect owns its providerInfo key.
const PROVIDERS = ['github', 'gitlab', 'bitbucket', 'asana', 'linear', 'azuredevops'] as const;
const USERS = 16;
const FLOWS = 256;

function tokensIn(value: unknown, tokens: ReadonlySet<string>): string[] {
  const text = JSON.stringify(value ?? null);
  return [...tokens].filter((t) => text.includes(t));
}

describe('flows in flight in one lab', () => {
  it(
    `${FLOWS} concurrent connects over ${ENVS.length} environments and ${USERS} users all pass`,
    { timeout: 60_000 },
    async () => {
      const lab = await startTestLab({ envs: ENVS, providers: [...PROVIDERS] });
      try {
        const users = seedUserPool(lab, USERS);
        const plan = Array.from({ length: FLOWS }, (_, i) => ({
          env: ENVS[i % ENVS.length] ?? 'local',
          user: users[Math.floor(i / ENVS.length) % USERS]?.id ?? '',
          provider: PROVIDERS[Math.floor(i / (ENVS.length * USERS))] ?? 'github',
        }));
        const deps = await Promise.all(plan.map(() => flowDeps()));
        const runs = await Promise.all(
          plan.map((p, i) => runConnect({ provider: p.provider, env: p.env, user: p.user }, deps[i]!, lab)),
        );
        const failed = runs
          .map((r, i) => ({ i, ok: r.outcome.ok, checks: deps[i]!.events.filter((e) => e.type === 'check-failed') }))
          .filter((r) => !r.ok);
        expect(failed).toEqual([]);
        const issued = new Set(runs.map((r) => r.context.issuedToken ?? ''));
        expect(issued.size).toBe(FLOWS);
        for (const [i, { context }] of runs.entries()) {
          const p = plan[i]!;
          expect(context.deliveredToken).toBe(context.issuedToken);
          const token = context.issuedToken ?? '';
          // Exactly once, on its own user's channel, in its own environment.
          for (const [name, api] of lab.envs) {
            const carrying = api.control.broadcasts.published.filter((m) => JSON.stringify(m.message).includes(token));
            expect(carrying.map((m) => m.channel)).toEqual(name === p.env ? [`user-${p.user}`] : []);
          }
        }
        // The stores hold exactly the expected keys: each user one token per provider it connected in that env.
        for (const [name, api] of lab.envs) {
          for (const user of users) {
            const expected = plan
              .map((p, i) => ({ ...p, token: runs[i]!.context.issuedToken }))
              .filter((p) => p.env === name && p.user === user.id);
            const info = api.control.store.user(user.id)?.providerInfo;
            expect(Object.keys(getPath(info, lab.config.defaultTeam) ?? {}).sort()).toEqual(
              expected.map((p) => p.provider).sort(),
            );
            for (const p of expected)
              expect(getPath(info, `${lab.config.defaultTeam}.${p.provider}.accessToken`)).toBe(p.token);
            expect(tokensIn(info, issued).sort()).toEqual(expected.map((p) => p.token ?? '').sort());
          }
        }
      } finally {
        await lab.close();
      }
    },
  );

  it(
    `${FLOWS} concurrent sign-ups, each a different person, resolve to ${FLOWS} different users`,
    { timeout: 60_000 },
    async () => {
      const lab = await startTestLab({ envs: ENVS, providers: ['github'] });
      try {
        const deps = await Promise.all(Array.from({ length: FLOWS }, () => flowDeps()));
        const runs = await Promise.all(
          deps.map((d, i) =>
            runSignup(
              {
                provider: 'github',
                env: ENVS[i % ENVS.length] ?? 'local',
                poll: true,
                intervalMs: 400,
                identity: {
                  id: 9_000_000 + i,
                  username: `person-${i}`,
                  fullName: `Person ${i}`,
                  email: `person-${i}@signup.example`,
                  publicEmail: true,
                },
              },
              d,
              lab,
            ),
          ),
        );
        const failed = runs
          .map((r, i) => ({ i, ok: r.outcome.ok, checks: deps[i]!.events.filter((e) => e.type === 'check-failed') }))
          .filter((r) => !r.ok);
        expect(failed).toEqual([]);
        const issued = new Set(runs.map((r) => r.context.issuedToken ?? ''));
        expect(issued.size).toBe(FLOWS);
        const userIds = runs.map((r) => `${r.context.envName}/${r.context.userId ?? ''}`);
        expect(userIds.filter((u, i) => userIds.indexOf(u) !== i)).toEqual([]);
        for (const [i, { context }] of runs.entries()) {
          expect(context.deliveredToken).toBe(context.issuedToken);
          const env = ENVS[i % ENVS.length];
          for (const [name, api] of lab.envs) {
            const holders = api.control.store.users().filter((u) => tokensIn(u.providerInfo, issued).length > 0);
            const own = holders.filter((u) => tokensIn(u.providerInfo, new Set([context.issuedToken ?? ''])).length);
            expect(own.map((u) => u.email)).toEqual(name === env ? [`person-${i}@signup.example`] : []);
          }
        }
        // Each environment: the seeded users untouched, plus exactly its sign-ups, each holding one github token.
        for (const [name, api] of lab.envs) {
          const mine = runs.filter((r) => r.context.envName === name);
          const created = api.control.store.users().filter((u) => u.email.endsWith('@signup.example'));
          expect(created).toHaveLength(mine.length);
          for (const u of created) expect(Object.keys(u.providerInfo)).toEqual(['github']);
          for (const seeded of lab.config.users) expect(api.control.store.user(seeded.id)?.providerInfo).toEqual({});
        }
      } finally {
        await lab.close();
      }
    },
  );
});

/**
 * Bounded memory (issue 14): a lab whose servers are past their record cap keeps answering correctly (every flow
 * still passes its own checks) and keeps the newest entries of each journal, log and record set.
 */
import { describe, expect, it } from 'vitest';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { seedUserPool } from '../../../src/lab/user-pool.js';
import { SignupRecords } from '../../../src/mock-api/signup/records.js';
import { pushCapped } from '../../../src/util/ring.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

const CAP = 20;

describe('record caps', () => {
  it('pushCapped holds at most the cap and keeps the newest', () => {
    const list: number[] = [];
    for (let i = 1; i <= 1000; i++) {
      pushCapped(list, i, 50);
      expect(list.length).toBeLessThanOrEqual(50);
      expect(list.at(-1)).toBe(i);
    }
    expect(list).toEqual(list.map((_, k) => 1000 - list.length + 1 + k)); // a contiguous run ending at the newest
  });

  it('signup records past the cap drop the oldest and keep the newest', () => {
    const records = new SignupRecords(Date.now, undefined, 3);
    for (const token of ['a', 'b', 'c', 'd', 'e']) records.insert({ token, userId: null });
    expect([...records.records.keys()]).toEqual(['c', 'd', 'e']);
    expect(records.find('a')).toBeUndefined();
    expect(records.find('e')?.token).toBe('e');
  });

  it(
    `a lab with a cap of ${CAP} passes flow after flow and keeps the newest entries`,
    { timeout: 60_000 },
    async () => {
      const lab = await startTestLab({ envs: ['local', 'pd'], recordCap: CAP });
      try {
        const users = seedUserPool(lab, 30, 'cap');
        const tokens: string[] = [];
        for (const [i, user] of users.entries()) {
          const run = await runConnect({ provider: 'github', env: 'local', user: user.id }, await flowDeps(), lab);
          expect({ i, ok: run.outcome.ok }).toEqual({ i, ok: true });
          tokens.push(run.context.issuedToken ?? '');
        }
        for (let i = 0; i < 5; i++) {
          const identity = {
            id: 8_800_000 + i,
            username: `cap-${i}`,
            fullName: `Cap ${i}`,
            email: `cap${i}@cap.example`,
          };
          const run = await runSignup(
            { provider: 'github', env: 'pd', poll: true, intervalMs: 0, identity },
            await flowDeps(),
            lab,
          );
          expect({ i, ok: run.outcome.ok }).toEqual({ i, ok: true });
        }
        const local = lab.envs.get('local')!.control;
        const provider = lab.providers.get('github')!.control;
        // Past the cap: each journal is at most CAP long, and full enough to prove it was trimmed rather than empty.
        for (const [name, list] of [
          ['api requests', local.journal.all],
          ['provider requests', provider.requests],
          ['broadcast history', local.broadcasts.history],
          ['router hits', lab.router.hits],
          ['provider grants', provider.issued],
        ] as const) {
          expect({ name, capped: list.length <= CAP, full: list.length > CAP / 2 }).toEqual({
            name,
            capped: true,
            full: true,
          });
        }
        expect(local.broadcasts.published.length).toBeLessThanOrEqual(CAP);
        // The newest entries are the ones kept: the last connect's token is in the last published directive, the
        // first connect's is gone.
        const texts = local.broadcasts.published.map((m) => JSON.stringify(m.message));
        expect(texts.at(-1)).toContain(tokens.at(-1));
        expect(texts.some((t) => t.includes(tokens[0]!))).toBe(false);
        expect(provider.requests.at(-1)?.at).toBeGreaterThanOrEqual(provider.requests[0]!.at);
        // The indexes forget what the cap dropped and still find what it kept.
        expect(local.broadcasts.carrying(tokens[0]!)).toEqual([]);
        expect(local.broadcasts.carrying(tokens.at(-1)!).length).toBeGreaterThan(0);
        expect(local.store.holding(tokens.at(-1)!).map((u) => u.id)).toEqual([users.at(-1)!.id]);
        expect(provider.issuedFrom(provider.issued[0]!.code)).toContain(provider.issued[0]);
      } finally {
        await lab.close();
      }
    },
  );
});

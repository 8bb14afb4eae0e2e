/**
 * A load run drops the users it seeded or signed up once its verdict is in (issue 14: a lab that runs load after
 * load must not grow by a user per flow), and keeps them with keepUsers.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../../../src/flows/load/run-load.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

describe('load run users', () => {
  it('leaves the lab with the users it had, in every environment, after connects and sign-ups', async () => {
    const lab = await startTestLab({ envs: ['local', 'pd'] });
    try {
      const before = (env: string) => lab.envs.get(env)!.control.store.users().length;
      const counts = { local: before('local'), pd: before('pd') };
      for (const flow of ['connect', 'signup'] as const) {
        const run = await runLoad(
          { flow, flows: 12, concurrency: 4, providers: ['github'], envs: ['local', 'pd'], intervalMs: 0, runId: 7 },
          await flowDeps(),
          lab,
        );
        expect({ flow, ok: run.ok, passed: run.passed }).toEqual({ flow, ok: true, passed: 12 });
      }
      expect({ local: before('local'), pd: before('pd') }).toEqual(counts);
      expect([...lab.users.keys()]).toEqual([]);
      const team = lab.envs.get('local')!.control.store.team(lab.config.defaultTeam);
      expect(team?.memberIds.some((id) => id.startsWith('load-'))).toBe(false);

      const kept = await runLoad(
        {
          flow: 'connect',
          flows: 4,
          concurrency: 2,
          providers: ['github'],
          envs: ['local'],
          runId: 8,
          keepUsers: true,
        },
        await flowDeps(),
        lab,
      );
      expect(kept.ok).toBe(true);
      expect(lab.users.size).toBeGreaterThan(0);
    } finally {
      await lab.close();
    }
  });
});

/** The load run's isolation verdict fails a token published or stored for the wrong user or environment. */
import { describe, expect, it } from 'vitest';
import { isolationVerdict, type FlowTokens } from '../../src/flows/load/isolation.js';
import type { FlowLab } from '../../src/lab/start-lab.js';

function fakeLab(envs: Record<string, { published: Array<{ channel: string; message: unknown }>; users: unknown[] }>) {
  const map = new Map(
    Object.entries(envs).map(([name, e]) => [
      name,
      { control: { broadcasts: { published: e.published }, store: { users: () => e.users } } },
    ]),
  );
  return { envs: map } as unknown as FlowLab;
}

const run = (index: number, env: string, user: string, token: string): FlowTokens => ({
  plan: { index, env, user, provider: 'github', identity: {} },
  ok: true,
  issuedToken: token,
  deliveredToken: token,
  userId: undefined,
});

const directive = (token: string) => ({ user: { $set: { 'providerInfo.acme.github': { accessToken: token } } } });
const info = (token: string) => ({ acme: { github: { accessToken: token } } });

describe('isolationVerdict', () => {
  const good = {
    local: {
      published: [{ channel: 'user-a', message: directive('T1') }],
      users: [{ id: 'a', providerInfo: info('T1') }],
    },
    pd: {
      published: [{ channel: 'user-b', message: directive('T2') }],
      users: [{ id: 'b', providerInfo: info('T2') }],
    },
  };

  it('passes when each token is published and stored once, for its own user and environment', () => {
    const v = isolationVerdict('connect', fakeLab(good), [run(0, 'local', 'a', 'T1'), run(1, 'pd', 'b', 'T2')]);
    expect(v).toEqual({ ok: true, checkedTokens: 2, problems: [] });
  });

  it('fails a token published on another user channel, stored in another environment or delivered twice', () => {
    const crossed = {
      local: {
        published: [
          { channel: 'user-a', message: directive('T1') },
          { channel: 'user-b', message: directive('T2') },
        ],
        users: [{ id: 'a', providerInfo: info('T1') }],
      },
      pd: {
        published: [],
        users: [
          { id: 'b', providerInfo: info('T2') },
          { id: 'c', providerInfo: info('T1') },
        ],
      },
    };
    const v = isolationVerdict('connect', fakeLab(crossed), [run(0, 'local', 'a', 'T1'), run(1, 'pd', 'b', 'T2')]);
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      { flow: 0, what: 'stored under', expected: 'local/a', actual: 'local/a, pd/c' },
      { flow: 1, what: 'published on', expected: 'pd/user-b', actual: 'local/user-b' },
    ]);
  });

  it('fails a flow whose agent received another token', () => {
    const r = { ...run(0, 'local', 'a', 'T1'), deliveredToken: 'T2' };
    expect(isolationVerdict('connect', fakeLab(good), [r]).problems.map((p) => p.what)).toEqual(['delivered token']);
  });
});

/**
 * Many environments behind one callback: connect in qa with pd and a VPN sandbox running beside it, the
 * router in both modes, and the misconfigurations that must fail exactly as expected.
 */
import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { runMisconfig } from '../../../src/flows/misconfig/steps.js';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

const ENVS = ['pd', 'qa', 'local-10-1-2-3'];
const stepsOf = (events: FlowEvent[], type: 'step-succeeded' | 'step-failed') =>
  events.filter((e) => e.type === type).map((e) => (e as { step: string }).step);

describe('connect in one of three environments', () => {
  it.each(['redirect', 'proxy'] as const)(
    'connects in qa with the router in %s mode; pd and local-10-1-2-3 saw nothing',
    async (routerMode) => {
      const lab = await startTestLab({ envs: ENVS, routerMode });
      try {
        const deps = await flowDeps();
        const { outcome, context } = await runConnect({ provider: 'github', env: 'qa' }, deps, lab);
        expect(outcome).toMatchObject({ ok: true });
        expect(context.sentState?.startsWith('qa!')).toBe(true);
        expect(stepsOf(deps.events, 'step-succeeded').at(-1)).toBe('isolation');
        // The token is in qa's store and on qa's broadcaster only.
        const qa = lab.envs.get('qa');
        expect(qa?.ctx.store.users.get('dana')?.providerInfo).toMatchObject({
          acme: { github: { accessToken: context.issuedToken } },
        });
        expect(qa?.ctx.broadcaster.messagesOn('user-dana')).toHaveLength(1);
        for (const name of ['pd', 'local-10-1-2-3']) {
          const api = lab.envs.get(name);
          expect(api?.ctx.requests).toEqual([]);
          expect(api?.ctx.store.users.get('dana')?.providerInfo).toEqual({});
          expect(api?.ctx.broadcaster.history).toEqual([]);
        }
        expect(lab.router.hits.filter((h) => h.routedTo !== undefined).map((h) => h.env)).toEqual(['qa']);
      } finally {
        await lab.close();
      }
    },
  );

  // YouTrack's callback page sends its second hop to authOrigin again, now with the state in the query (contract §7).
  it.each([
    ['youtrack', 1],
    ['jiraserver', 0],
  ] as const)(
    'says a restrictive provider (%s) called back on publicApiUrl, not through the router',
    async (provider, routerHops) => {
      const deps = await flowDeps();
      const { outcome, context } = await runConnect({ provider, env: 'qa', envs: ['pd'] }, deps);
      expect(outcome.ok).toBe(true);
      expect(context.redirectUri?.startsWith(`${context.lab.envs.get('qa')?.url}/no-auth/`)).toBe(true);
      expect(context.lab.router.hits.map((h) => h.env)).toEqual(Array(routerHops).fill('qa'));
      const isolation = deps.events.find((e) => e.type === 'step-succeeded' && e.step === 'isolation');
      expect(isolation).toMatchObject({
        detail: expect.stringMatching(/callback origin: publicApiUrl .* a restrictive provider/),
      });
      expect(deps.events).toContainEqual(
        expect.objectContaining({
          type: 'check-passed',
          step: 'isolation',
          check: expect.stringMatching(/^router saw (no callback of this run|only the fragment page's second hop)$/),
        }),
      );
    },
  );

  it('fails the isolation step when another environment was reached', async () => {
    const lab = await startTestLab({ envs: ENVS });
    try {
      // Other traffic in pd (another flow in flight) is no concern of this flow's isolation step…
      await fetch(`${lab.envs.get('pd')?.url}/users/me`);
      const deps = await flowDeps();
      const beforeStep = async (step: { id: string }, ctx: { sentState?: string }): Promise<void> => {
        // …but this flow's state reaching pd is: replay the callback there before the step looks.
        if (step.id === 'isolation')
          await fetch(`${lab.envs.get('pd')?.url}/no-auth/provider-token/github?state=${ctx.sentState ?? ''}`);
      };
      const { outcome } = await runConnect({ provider: 'github', env: 'qa', beforeStep }, deps, lab);
      expect(outcome).toMatchObject({ ok: false, failedStep: 'isolation' });
      expect(deps.events.find((e) => e.type === 'check-failed')).toMatchObject({
        check: "pd: no request carried this flow's state",
      });
    } finally {
      await lab.close();
    }
  });

  it('starts every lab environment by default and the chosen one with --envs', async () => {
    const deps = await flowDeps();
    const all = await runConnect({ provider: 'github', env: 'qa' }, deps);
    expect([...all.context.lab.envs.keys()]).toEqual(['qa', 'local', 'pd', 'local-10-1-2-3']);
    const some = await runConnect({ provider: 'github', env: 'pd', envs: ['local'] }, await flowDeps());
    expect([...some.context.lab.envs.keys()]).toEqual(['pd', 'local']);
    expect(some.outcome.ok).toBe(true);
  });

  it('refuses an environment that is not in the lab config as a usage error', async () => {
    await expect(runConnect({ provider: 'github', env: 'staging' }, await flowDeps())).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});

describe('sign-up in one of three environments', () => {
  it('signs up in qa with --poll; the signup record, the new user and the broadcast stay in qa', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runSignup(
      { provider: 'github', env: 'qa', envs: ENVS, poll: true, intervalMs: 20, timeoutMs: 5000 },
      deps,
    );
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(stepsOf(deps.events, 'step-succeeded').at(-1)).toBe('isolation');
    expect([...context.lab.envs.keys()]).toEqual(['qa', 'pd', 'local-10-1-2-3']);
    for (const name of ['pd', 'local-10-1-2-3']) {
      const api = context.lab.envs.get(name);
      expect(api?.control.journal.all).toEqual([]);
      expect(api?.control.store.users()).toHaveLength(deps.config.users.length);
    }
  });
});

describe('misconfigurations pass when the system fails exactly as expected', () => {
  it.each([
    ['callback-env-unset', 'route', ['route', 'nothing-delivered', 'cause', 'isolation']],
    ['router-unknown-env', 'route', ['route', 'nothing-delivered', 'cause', 'isolation']],
    ['exchange-redirect-uri', 'callback', ['callback', 'error-page', 'nothing-delivered', 'cause', 'isolation']],
  ] as const)('%s', async (misconfig, _from, tail) => {
    const deps = await flowDeps();
    const { outcome, context } = await runMisconfig({ provider: 'github', env: 'qa', envs: ['pd'], misconfig }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(outcome).toMatchObject({ ok: true });
    const done = stepsOf(deps.events, 'step-succeeded');
    expect(done.slice(-tail.length)).toEqual(tail);
    expect(context.lab.envs.get('pd')?.control.journal.all).toEqual([]);
    expect(deps.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { misconfig } });
  });

  it.each(['trello', 'youtrack', 'jiraserver'])(
    'exchange-redirect-uri is a usage error for %s, which makes no code exchange',
    async (provider) => {
      const deps = await flowDeps();
      await expect(
        runMisconfig({ provider, env: 'qa', envs: [], misconfig: 'exchange-redirect-uri' }, deps),
      ).rejects.toThrow(`provider "${provider}" does not make`);
      expect(deps.events).toEqual([]);
    },
  );

  it('exchange-redirect-uri: the provider saw two different redirect_uris and the callback ended on RAPI-1010', async () => {
    const deps = await flowDeps();
    const { context } = await runMisconfig(
      { provider: 'github', env: 'qa', envs: [], misconfig: 'exchange-redirect-uri' },
      deps,
    );
    const qa = context.lab.envs.get('qa');
    expect(qa?.control.journal.all.find((r) => r.path === '/no-auth/provider-token/github')?.location).toMatch(
      /^\/web\/error\?state=qa!.+&code=RAPI-1010&provider=github$/,
    );
    const token = context.provider.control.requests.find((r) => r.endpoint === 'token');
    expect({ ...token?.query, ...token?.body }.redirect_uri).toBe(`${qa?.url}/no-auth/provider-token/github`);
    expect(context.redirectUri).toBe(`${context.lab.authOrigin}/provider-token/github`);
  });
});

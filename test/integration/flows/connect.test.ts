import { describe, expect, it } from 'vitest';
import { runConnect } from '../../../src/flows/connect/run.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

describe('connect flow on real sockets', () => {
  it.each([
    ['web', 'marketing'],
    ['no-auth', 'api'],
  ] as const)(
    'connects github with entry %s and success page %s, delivering the issued token',
    async (entry, successPage) => {
      const deps = await flowDeps();
      const { outcome, context } = await runConnect({ provider: 'github', entry, successPage }, deps);
      expect(outcome).toMatchObject({ ok: true });
      expect(context.issuedToken).toMatch(/^gho_[0-9a-f]{40}$/);
      expect(context.deliveredToken).toBe(context.issuedToken);
      const steps = deps.events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);
      expect(steps).toEqual([
        'login',
        'auth-code',
        'subscribe',
        'start',
        'authorize',
        'route',
        'callback',
        'success-page',
        'broadcast',
        'isolation',
      ]);
      expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(deps.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    },
  );

  it('fails the callback step, naming the code, when the provider rejects the exchange', async () => {
    const lab = await startTestLab();
    try {
      lab.providers.get('github')?.control.failNext('token', { kind: 'oauth-error', error: 'bad_verification_code' });
      const deps = await flowDeps();
      const { outcome } = await runConnect({ provider: 'github' }, deps, lab);
      expect(outcome).toMatchObject({ ok: false, failedStep: 'callback' });
      const failed = deps.events.find((e) => e.type === 'check-failed');
      expect(failed).toMatchObject({
        step: 'callback',
        check: 'callback is not sent to /web/error',
        actual: '"/web/error with code RAPI-1010"',
      });
      // The API turned the provider's 200 error into RAPI-1010 on /web/error, and stored nothing.
      const callback = lab.envs.get('local')?.ctx.requests.find((r) => r.path === '/no-auth/provider-token/github');
      expect(callback?.location).toMatch(/^\/web\/error\?state=local!.+&code=RAPI-1010&provider=github$/);
      expect(lab.envs.get('local')?.ctx.store.users.get('dana')?.providerInfo).toEqual({});
    } finally {
      await lab.close();
    }
  });

  it('fails the broadcast step when the broadcast is lost', async () => {
    const lab = await startTestLab();
    try {
      lab.envs.get('local')!.ctx.broadcaster.faults.drop = 1;
      const deps = await flowDeps();
      const { outcome } = await runConnect({ provider: 'github' }, deps, lab);
      expect(outcome).toMatchObject({ ok: false, failedStep: 'broadcast' });
      expect(outcome.error).toMatchObject({
        code: 'BROADCAST_LOST',
        message: 'no directive setting providerInfo.acme.github.accessToken arrived on user-dana',
      });
    } finally {
      await lab.close();
    }
  });
});

/** `interact`: provider → VPN proxy → environment, accepted, and each tamper refused where it should be. */
import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { runInteract } from '../../../src/flows/interact/run.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

const ENVS = ['pd', 'qa', 'local-10-1-2-3'];
const succeeded = (events: FlowEvent[]) =>
  events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);

describe('interact', () => {
  it.each([
    ['slack', 'same', ['apps', 'subscribe', 'sign', 'send', 'proxy', 'verify', 'broadcast', 'isolation']],
    ['slack', 'separate', ['apps', 'subscribe', 'sign', 'send', 'proxy', 'verify', 'broadcast', 'isolation']],
    [
      'msteams',
      'same',
      ['apps', 'subscribe', 'connect-code', 'sign', 'send', 'proxy', 'verify', 'broadcast', 'isolation'],
    ],
  ] as const)('%s through a proxy on the %s host reaches qa alone', async (provider, proxyHost, steps) => {
    const deps = await flowDeps();
    const { outcome, context } = await runInteract({ provider, env: 'qa', envs: ENVS, proxyHost }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(succeeded(deps.events)).toEqual(steps);
    expect(context.lab.vpnProxy.host).toBe(proxyHost);
    expect(context.api.control.providerActions.actions).toHaveLength(1);
    expect(context.received?.rawBody.equals(context.call?.rawBody ?? Buffer.alloc(1))).toBe(true);
    expect(deps.events.some((e) => e.type === 'http' && e.from === 'provider' && e.to === 'proxy')).toBe(true);
    expect(deps.events.some((e) => e.type === 'http' && e.from === 'proxy' && e.to === 'api')).toBe(true);
  });

  it.each([
    ['slack', 'signature', 'environment', /signature does not match/],
    ['slack', 'timestamp', 'environment', /more than 300 s/],
    ['slack', 'app', 'proxy', /no environment owns app id/],
    ['msteams', 'signature', 'environment', /bad signature/],
    ['msteams', 'timestamp', 'environment', /expired/],
    ['msteams', 'app', 'proxy', /no environment owns app id/],
  ] as const)(
    '%s --tamper %s passes because the %s refuses it with 403 RAPI-1003',
    async (provider, tamper, by, reason) => {
      const deps = await flowDeps();
      const { outcome, context } = await runInteract({ provider, env: 'qa', envs: ENVS, tamper }, deps);
      expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(outcome.ok).toBe(true);
      expect(context.answer).toMatchObject({ status: 403, proxyRefused: by === 'proxy' });
      expect(JSON.parse(context.answer?.body ?? '{}')).toMatchObject({ code: 'RAPI-1003' });
      const said = by === 'proxy' ? context.proxyHit?.reason : context.received?.reason;
      expect(said).toMatch(reason);
      for (const api of context.lab.envs.values()) expect(api.control.providerActions.actions).toEqual([]);
      expect(deps.events.at(-1)).toMatchObject({
        type: 'flow-finished',
        ok: true,
        result: { tamper, expected: `refused by the ${by === 'proxy' ? 'VPN proxy' : 'environment'}` },
      });
    },
  );

  it('fails at the send step when the environment no longer knows the signing secret the app uses', async () => {
    const lab = await startTestLab({ providers: [], envs: ['qa'] });
    try {
      const qa = lab.envs.get('qa');
      // The proxy still routes the app to qa, but qa's config has another secret for it: Slack's calls fail.
      if (qa)
        qa.ctx.env = {
          ...qa.ctx.env,
          integrations: {
            ...qa.ctx.env.integrations,
            slack: { signingSecretsByAppIds: { A0QA0000001: 'rotated-secret' } },
          },
        };
      const deps = await flowDeps();
      const { outcome } = await runInteract({ provider: 'slack', env: 'qa' }, deps, lab);
      expect(outcome).toMatchObject({ ok: false, failedStep: 'send' });
      expect(deps.events.find((e) => e.type === 'check-failed')).toMatchObject({
        check: 'answer status',
        expected: '200',
        actual: '403',
      });
    } finally {
      await lab.close();
    }
  });
});

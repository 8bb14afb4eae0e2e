/**
 * The VPN proxy (seed, last paragraphs; contract §7): provider calls reach the environment that owns the
 * app, byte for byte, so the environment's signature check still passes after the hop.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { buildSlackAction, buildTeamsActivity, type ProviderCall } from '../../../src/agent-sim/provider-calls.js';
import { startTestLab } from '../../helpers/lab.js';

const APPS = { pd: 'A0PD0000001', qa: 'A0QA0000001' } as const;
const SECRETS = { pd: 'pd0000slack0signing0secret000001', qa: 'qa0000slack0signing0secret000001' } as const;
const BOTS = { pd: '7d3c1a52-0b1e-4c55-9a61-00000000bd01', qa: '7d3c1a52-0b1e-4c55-9a61-0000000000a1' } as const;

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function send(url: string, call: ProviderCall): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${url}${call.path}`, {
    method: 'POST',
    headers: call.headers,
    body: new Uint8Array(call.rawBody),
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

const slackCall = (env: 'pd' | 'qa', body?: string): ProviderCall => {
  const call = buildSlackAction({
    appId: APPS[env],
    signingSecret: SECRETS[env],
    slackUserId: 'U0DANA00001',
    actionId: { id: 'a' },
    now: Date.now,
  });
  if (body === undefined) return call;
  // A body with bytes URL encoders disagree on (+, %20, non-ASCII), signed by the test itself.
  const rawBody = Buffer.from(body);
  const ts = call.headers['x-slack-request-timestamp'] ?? '';
  return {
    ...call,
    rawBody,
    headers: {
      ...call.headers,
      'x-slack-signature': `v0=${createHmac('sha256', SECRETS[env]).update(`v0:${ts}:`).update(rawBody).digest('hex')}`,
    },
  };
};

describe('VPN proxy on the router host (default)', () => {
  it.each(['pd', 'qa'] as const)(
    'routes a Slack call for the %s app to that environment only, bytes unchanged, and the signature verifies there',
    async (env) => {
      lab = await startTestLab({ providers: [], envs: ['pd', 'qa', 'local-10-1-2-3'] });
      expect(lab.vpnProxy.url).toBe(lab.router.url);
      const call = slackCall(env);
      const res = await send(lab.vpnProxy.url, call);
      expect(res.status).toBe(200);
      const target = lab.envs.get(env);
      const received = target?.ctx.providerActions.received ?? [];
      expect(received).toHaveLength(1);
      expect(received[0]?.rawBody.equals(call.rawBody)).toBe(true);
      expect(lab.vpnProxy.hits.at(-1)?.rawBody.equals(call.rawBody)).toBe(true);
      for (const name of ['x-slack-signature', 'x-slack-request-timestamp', 'content-type', 'user-agent'])
        expect(received[0]?.headers[name]).toBe(call.headers[name]);
      expect(target?.ctx.providerActions.actions).toHaveLength(1);
      for (const [name, api] of lab.envs) if (name !== env) expect(api.ctx.requests).toEqual([]);
      expect(lab.vpnProxy.hits.at(-1)).toMatchObject({
        provider: 'slack',
        appId: APPS[env],
        env,
        status: 200,
        forwardedTo: `${target?.url}/no-auth/provider-action/slack`,
      });
    },
  );

  it('keeps awkward bytes identical across the hop', async () => {
    lab = await startTestLab({ providers: [], envs: ['qa'] });
    const payload = JSON.stringify({
      type: 'block_actions',
      api_app_id: APPS.qa,
      user: { id: 'U0DANA00001' },
      actions: [{ action_id: 'plain text ✓' }],
    });
    const body = `payload=${encodeURIComponent(payload).replaceAll('%20', '+')}&extra=%7e+%2B%20é`;
    const call = slackCall('qa', body);
    expect((await send(lab.vpnProxy.url, call)).status).toBe(200);
    expect(lab.envs.get('qa')?.ctx.providerActions.received[0]?.rawBody.equals(Buffer.from(body))).toBe(true);
  });

  it('still refuses a forged signature at the environment (the proxy does not vouch for anything)', async () => {
    lab = await startTestLab({ providers: [], envs: ['qa'] });
    const call = buildSlackAction({
      appId: APPS.qa,
      signingSecret: SECRETS.qa,
      slackUserId: 'U0DANA00001',
      actionId: {},
      now: Date.now,
      tamper: 'signature',
    });
    const res = await send(lab.vpnProxy.url, call);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'RAPI-1003', info: 'signature does not match the body' });
    expect(res.headers.get('x-vpn-proxy')).toBeNull(); // the environment refused, not the proxy
  });

  it.each([
    [
      'an app no environment owns',
      () =>
        buildSlackAction({ appId: 'A0NOBODY000', signingSecret: 'x', slackUserId: 'U', actionId: {}, now: Date.now }),
      403,
      'RAPI-1003',
      /no environment owns app id "A0NOBODY000"/,
    ],
    [
      'a body without an app id',
      () => ({ ...slackCall('qa'), rawBody: Buffer.from('payload=%7B%7D') }),
      403,
      'RAPI-1003',
      /names no app id/,
    ],
    [
      'a body that is not a form',
      () => ({ ...slackCall('qa'), rawBody: Buffer.from('\u0000\u00ff garbage') }),
      403,
      'RAPI-1003',
      /names no app id/,
    ],
    [
      'a provider the proxy does not serve',
      () => ({ ...slackCall('qa'), path: '/no-auth/provider-action/discord' }),
      403,
      'PRVD-1000',
      /no "discord" calls/,
    ],
    [
      'a provider name from Object.prototype',
      () => ({ ...slackCall('qa'), path: '/no-auth/provider-action/constructor' }),
      403,
      'PRVD-1000',
      /no "constructor" calls/,
    ],
    [
      'an oversized body',
      () => ({ ...slackCall('qa'), rawBody: Buffer.alloc(70 * 1024, 97) }),
      413,
      'RAPI-1012',
      /64 KiB/,
    ],
  ])('refuses %s itself and forwards nothing', async (_name, make, status, code, message) => {
    lab = await startTestLab({ providers: [], envs: ['pd', 'qa'] });
    const res = await send(lab.vpnProxy.url, make());
    expect(res.status).toBe(status);
    expect(res.headers.get('x-vpn-proxy')).toBe('refused');
    expect(JSON.parse(res.body)).toMatchObject({ code, message: expect.stringMatching(message) });
    for (const api of lab.envs.values()) expect(api.ctx.requests).toEqual([]);
    expect(lab.vpnProxy.hits.at(-1)).toMatchObject({ status, reason: expect.any(String) });
    expect(lab.vpnProxy.hits.at(-1)?.env).toBeUndefined();
  });

  it('routes MS Teams activities by the bot app id', async () => {
    lab = await startTestLab({ providers: [], envs: ['pd', 'qa'] });
    for (const env of ['qa', 'pd'] as const) {
      const call = await buildTeamsActivity({
        botAppId: BOTS[env],
        channelKey: 'BotFrameworkSigningKey',
        aadObjectId: 'aad-dana',
        signInCode: 'unknown',
        now: Date.now,
      });
      const res = await send(lab.vpnProxy.url, call);
      expect(res.status).toBe(200);
      expect(lab.vpnProxy.hits.at(-1)).toMatchObject({ provider: 'msteams', appId: BOTS[env], env });
      const received = lab.envs.get(env)?.ctx.providerActions.received.at(-1);
      expect(received?.rawBody.equals(call.rawBody)).toBe(true);
      expect(received?.headers.authorization).toBe(call.headers.authorization);
    }
    expect(lab.envs.get('qa')?.ctx.providerActions.received).toHaveLength(1);
    expect(lab.envs.get('pd')?.ctx.providerActions.received).toHaveLength(1);
  });
});

describe('VPN proxy on its own origin (--proxy-host separate)', () => {
  it('answers on another origin than the router and the router no longer serves the proxy path', async () => {
    lab = await startTestLab({ providers: [], envs: ['qa'], proxyHost: 'separate' });
    expect(lab.vpnProxy.url).not.toBe(lab.router.url);
    expect((await send(lab.vpnProxy.url, slackCall('qa'))).status).toBe(200);
    const atRouter = await send(lab.router.url, slackCall('qa'));
    expect(atRouter.status).toBe(404);
    expect(lab.envs.get('qa')?.ctx.providerActions.received).toHaveLength(1);
  });

  it('answers other paths with a JSON 404', async () => {
    lab = await startTestLab({ providers: [], envs: ['qa'], proxyHost: 'separate' });
    const res = await fetch(`${lab.vpnProxy.url}/no-auth/provider-token/github?state=qa!x`);
    expect(res.status).toBe(404);
    expect(res.headers.get('location')).toBeNull();
  });
});

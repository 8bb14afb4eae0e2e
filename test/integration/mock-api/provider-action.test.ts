/**
 * POST /no-auth/provider-action/slack|msteams on one environment (contract §7, failure modes 36, 37):
 * the test signs its own payloads with node:crypto, so the route is checked against Slack's scheme and
 * not against the code that builds the mock Slack's calls.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { RunningApi } from '../../../src/mock-api/index.js';
import { TEAMS_CONNECTED_REPLY, TEAMS_SNAG_REPLY_START } from '../../../src/flows/engine/contract.js';

// Expected replies come from the contract constants (failure mode 37, §7), never from the bot's own code.
const SNAG = expect.stringMatching(new RegExp(`^${TEAMS_SNAG_REPLY_START}`));
import { buildTeamsActivity, TEAMS_TENANT_ID } from '../../../src/agent-sim/provider-calls.js';
import { createClock, startTestLab } from '../../helpers/lab.js';

const APP = 'A0QA0000001';
const SECRET = 'qa0000slack0signing0secret000001';
const BOT = '7d3c1a52-0b1e-4c55-9a61-0000000000a1';

let clock: ReturnType<typeof createClock>;
let lab: Lab;
let qa: RunningApi;
beforeEach(async () => {
  clock = createClock();
  lab = await startTestLab({ providers: [], envs: ['qa'], now: clock.now });
  qa = lab.envs.get('qa') as RunningApi;
});
afterEach(async () => {
  await lab.close();
});

function slackBody(appId = APP, user = 'U0DANA00001'): string {
  const payload = {
    type: 'block_actions',
    api_app_id: appId,
    user: { id: user },
    actions: [{ action_id: JSON.stringify({ id: 'x', linkType: 'web', teamId: 'acme' }) }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function sign(secret: string, ts: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
}

async function postSlack(
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${qa.url}/no-auth/provider-action/slack`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const nowS = () => String(Math.floor(clock.now() / 1000));

describe('Slack interactive components', () => {
  it('accepts a payload the test signed, records the action and publishes it on the user channel', async () => {
    const body = slackBody();
    const ts = nowS();
    const res = await postSlack(body, { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(SECRET, ts, body) });
    expect(res.status).toBe(200);
    expect(qa.ctx.providerActions.actions).toEqual([
      expect.objectContaining({
        provider: 'slack',
        appId: APP,
        type: 'block_actions',
        userId: 'dana',
        providerUserId: 'U0DANA00001',
        actionId: { id: 'x', linkType: 'web', teamId: 'acme' },
      }),
    ]);
    expect(qa.ctx.providerActions.received[0]?.rawBody.toString()).toBe(body);
    expect(qa.ctx.broadcaster.messagesOn('user-dana')).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ providerAction: expect.objectContaining({ appId: APP }) }),
      }),
    ]);
  });

  it('accepts a timestamp 300 s old (the window is inclusive) and records an unknown Slack user without publishing', async () => {
    const body = slackBody(APP, 'U0STRANGER1');
    const ts = nowS();
    clock.advance(300_000);
    const res = await postSlack(body, { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(SECRET, ts, body) });
    expect(res.status).toBe(200);
    expect(qa.ctx.providerActions.actions[0]?.userId).toBeNull();
    expect(qa.ctx.broadcaster.history).toEqual([]);
  });

  it.each<[string, () => { body: string; headers: Record<string, string> }, RegExp]>([
    [
      'a signature made with another secret',
      () => ({
        body: slackBody(),
        headers: {
          'x-slack-request-timestamp': nowS(),
          'x-slack-signature': sign('not-the-secret', nowS(), slackBody()),
        },
      }),
      /signature does not match/,
    ],
    [
      'a signature over other bytes',
      () => ({
        body: slackBody(),
        headers: {
          'x-slack-request-timestamp': nowS(),
          'x-slack-signature': sign(SECRET, nowS(), `${slackBody()}&x=1`),
        },
      }),
      /signature does not match/,
    ],
    [
      'no signature',
      () => ({ body: slackBody(), headers: { 'x-slack-request-timestamp': nowS() } }),
      /"x-slack-signature" is missing/,
    ],
    [
      'no timestamp',
      () => ({ body: slackBody(), headers: { 'x-slack-signature': sign(SECRET, nowS(), slackBody()) } }),
      /timestamp" is missing/,
    ],
    [
      'a timestamp that is not a number',
      () => ({
        body: slackBody(),
        headers: { 'x-slack-request-timestamp': '12e3', 'x-slack-signature': sign(SECRET, '12e3', slackBody()) },
      }),
      /not a number/,
    ],
    [
      'a timestamp 301 s in the future',
      () => {
        const ts = String(Number(nowS()) + 301);
        return {
          body: slackBody(),
          headers: { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(SECRET, ts, slackBody()) },
        };
      },
      /more than 300 s/,
    ],
    [
      'an unknown api_app_id',
      () => ({
        body: slackBody('A0NOBODY000'),
        headers: {
          'x-slack-request-timestamp': nowS(),
          'x-slack-signature': sign(SECRET, nowS(), slackBody('A0NOBODY000')),
        },
      }),
      /no signing secret for api_app_id "A0NOBODY000"/,
    ],
    [
      'an api_app_id from Object.prototype',
      () => ({
        body: slackBody('constructor'),
        headers: {
          'x-slack-request-timestamp': nowS(),
          'x-slack-signature': sign(SECRET, nowS(), slackBody('constructor')),
        },
      }),
      /no signing secret/,
    ],
    [
      'a body without payload',
      () => ({
        body: 'foo=bar',
        headers: { 'x-slack-request-timestamp': nowS(), 'x-slack-signature': sign(SECRET, nowS(), 'foo=bar') },
      }),
      /no JSON "payload"/,
    ],
    [
      'a payload that is not JSON',
      () => ({
        body: 'payload=%7Bnope',
        headers: { 'x-slack-request-timestamp': nowS(), 'x-slack-signature': sign(SECRET, nowS(), 'payload=%7Bnope') },
      }),
      /no JSON "payload"/,
    ],
  ])('refuses %s with 403 RAPI-1003 and changes nothing', async (_name, make, info) => {
    const before = qa.ctx.store.snapshot();
    const { body, headers } = make();
    const res = await postSlack(body, headers);
    expect(res).toEqual({
      status: 403,
      json: { code: 'RAPI-1003', message: 'not found', info: expect.stringMatching(info) },
    });
    expect(qa.ctx.providerActions.actions).toEqual([]);
    expect(qa.ctx.providerActions.received.at(-1)).toMatchObject({ status: 403, code: 'RAPI-1003' });
    expect(qa.ctx.store.snapshot()).toEqual(before);
    expect(qa.ctx.broadcaster.history).toEqual([]);
  });

  it('refuses a timestamp that went stale on the injected clock', async () => {
    const body = slackBody();
    const ts = nowS();
    const headers = { 'x-slack-request-timestamp': ts, 'x-slack-signature': sign(SECRET, ts, body) };
    clock.advance(301_000);
    expect(await postSlack(body, headers)).toMatchObject({
      status: 403,
      json: { code: 'RAPI-1003', info: 'request timestamp is 301 s in the past, more than 300 s from now' },
    });
  });

  it('answers an oversized body with 403 RAPI-1012, not a 500', async () => {
    const res = await postSlack(`payload=${'a'.repeat(70 * 1024)}`, {
      'x-slack-request-timestamp': nowS(),
      'x-slack-signature': 'v0=00',
    });
    expect(res).toMatchObject({ status: 403, json: { code: 'RAPI-1012' } });
  });

  it.each(['discord', 'constructor', '__proto__'])(
    'answers the unknown provider segment %s with PRVD-1000',
    async (name) => {
      const res = await fetch(`${qa.url}/no-auth/provider-action/${name}`, { method: 'POST', body: 'x' });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'PRVD-1000' });
    },
  );
});

describe('MS Teams bot activities', () => {
  async function connectCode(): Promise<string> {
    const res = await fetch(`${qa.url}/msteams/generate-connect-code`, {
      method: 'POST',
      headers: { authorization: 'Bearer cs-token-dana' },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { connectCode: string }).connectCode;
  }

  async function postActivity(
    code: string,
    opts: { key?: string; botAppId?: string; issuedAgoS?: number } = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const call = await buildTeamsActivity({
      botAppId: opts.botAppId ?? BOT,
      channelKey: opts.key ?? 'BotFrameworkSigningKey',
      aadObjectId: 'aad-dana',
      signInCode: code,
      now: () => clock.now() - (opts.issuedAgoS ?? 0) * 1000,
    });
    const res = await fetch(`${qa.url}${call.path}`, {
      method: 'POST',
      headers: call.headers,
      body: new Uint8Array(call.rawBody),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('signs the team in with a valid connect code, once', async () => {
    const code = await connectCode();
    expect(code).toMatch(/^[0-9a-f]{32}$/);
    const first = await postActivity(code);
    expect(first).toEqual({
      status: 200,
      json: { activities: [expect.objectContaining({ type: 'message', text: TEAMS_CONNECTED_REPLY })] },
    });
    expect(qa.ctx.store.teams.get('acme')?.providerBotInfo?.msteams?.[TEAMS_TENANT_ID]).toMatchObject({
      botAppId: BOT,
      tenantId: TEAMS_TENANT_ID,
    });
    expect(qa.ctx.store.users.get('dana')?.providerIdentities).toContain(`msteams::${TEAMS_TENANT_ID}`);
    expect(qa.ctx.broadcaster.messagesOn('user-dana')).toHaveLength(1);
    // Single use: the same code again is the snag reply (contract failure mode 37).
    expect((await postActivity(code)).json).toEqual({ activities: [expect.objectContaining({ text: SNAG })] });
  });

  it('answers a wrong or expired connect code with "Oops, we hit a snag…" and changes nothing', async () => {
    expect((await postActivity('0'.repeat(32))).json).toEqual({
      activities: [expect.objectContaining({ text: SNAG })],
    });
    const code = await connectCode();
    clock.advance(600_001);
    expect((await postActivity(code)).json).toEqual({ activities: [expect.objectContaining({ text: SNAG })] });
    expect(qa.ctx.store.teams.get('acme')?.providerBotInfo).toBeUndefined();
    expect(qa.ctx.broadcaster.history).toEqual([]);
  });

  it.each([
    ['a token signed with another key', { key: 'forged' }, /bad signature/],
    ['a token for another bot', { botAppId: '00000000-0000-4000-8000-000000000000' }, /"aud" claim/],
    ['an expired token (beyond the 5-minute skew)', { issuedAgoS: 3600 + 301 }, /expired/],
  ])('refuses %s with 403 RAPI-1003', async (_name, opts, info) => {
    const res = await postActivity(await connectCode(), opts);
    expect(res).toEqual({
      status: 403,
      json: { code: 'RAPI-1003', message: 'not found', info: expect.stringMatching(info) },
    });
    expect(qa.ctx.providerActions.actions).toEqual([]);
  });

  it('refuses an activity without a bearer token', async () => {
    const res = await fetch(`${qa.url}/no-auth/provider-action/msteams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'RAPI-1003', info: 'no Bot Framework bearer token' });
  });
});

describe('random calls (fast-check)', () => {
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.json().map((j) => Buffer.from(j)),
    fc.json().map((j) => Buffer.from(`payload=${encodeURIComponent(j)}`)),
    fc.constantFrom(Buffer.from(slackBody()), Buffer.from(slackBody('constructor'))),
  );
  const header = fc.option(
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
    { nil: undefined },
  );

  it('a random body and headers, direct or through the VPN proxy, is never a 5xx, records no action and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('slack', 'msteams'),
        fc.boolean(),
        contentType,
        body,
        header,
        header,
        async (provider, viaProxy, type, raw, signature, auth) => {
          const before = qa.ctx.store.snapshot();
          const headers: Record<string, string> = { 'content-type': type, 'x-slack-request-timestamp': nowS() };
          if (signature !== undefined) headers['x-slack-signature'] = signature;
          if (auth !== undefined) headers.authorization = auth;
          const res = await fetch(`${viaProxy ? lab.vpnProxy.url : qa.url}/no-auth/provider-action/${provider}`, {
            method: 'POST',
            headers,
            body: new Uint8Array(raw),
          });
          await res.arrayBuffer();
          expect(res.status).toBeLessThan(500);
          expect(qa.ctx.providerActions.actions).toEqual([]);
          expect(qa.ctx.store.snapshot()).toEqual(before);
        },
      ),
      { numRuns: 80 },
    );
  });
});

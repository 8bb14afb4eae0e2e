import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { ApiContext } from '../../../src/mock-api/context.js';
import { startTestLab } from '../../helpers/lab.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

/** A lab whose signup record for `token` is a finished sign-in of dana. */
/** Resolves when the next request starts being held by a hang fault. */
function nextHold(faults: ApiContext['faults']): Promise<void> {
  return new Promise((resolve) => {
    const off = faults.onHold(() => {
      off();
      resolve();
    });
  });
}

async function withRecord(): Promise<{
  ctx: ApiContext;
  token: string;
  put: (signal?: AbortSignal) => Promise<{ status: number; body: Record<string, unknown> }>;
}> {
  lab = await startTestLab();
  const api = lab.envs.get('local')!;
  const token = randomUUID();
  api.ctx.signups.insert({ token, userId: 'dana', signupStatus: 'signedIn', provider: 'github' });
  const put = async (signal?: AbortSignal) => {
    const res = await fetch(`${api.url}/no-auth/check-signup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      ...(signal ? { signal } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ctx: api.ctx, token, put };
}

describe('check-signup faults (contract failure mode 28)', () => {
  it('answers the queued 5xx statuses in order without reading the record, then the real answer', async () => {
    const { ctx, token, put } = await withRecord();
    ctx.faults.checkSignup.push({ kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    expect(await put()).toEqual({ status: 503, body: { code: 'SWEB-1000' } });
    expect(await put()).toEqual({ status: 500, body: { code: 'SWEB-1000' } });
    expect(ctx.signups.find(token)).toBeDefined();
    expect(await put()).toMatchObject({ status: 200, body: { signupStatus: 'signedIn', provider: 'github' } });
    expect(ctx.signups.find(token)).toBeUndefined();
  });

  it('holds a hung call until the client gives up, and leaves the record for its retry', async () => {
    const { ctx, token, put } = await withRecord();
    ctx.faults.checkSignup.push({ kind: 'hang' });
    const held: number[] = [];
    ctx.faults.onHold(() => held.push(ctx.faults.holding));
    const controller = new AbortController();
    const holds = nextHold(ctx.faults);
    const call = put(controller.signal);
    await holds;
    expect(ctx.faults.holding).toBe(1);
    expect(held).toEqual([1]);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => ctx.faults.holding).toBe(0);
    expect(ctx.signups.find(token)).toBeDefined();
    expect((await put()).status).toBe(200);
  });

  it('lets a held call go on to its normal answer when released', async () => {
    const { ctx, token, put } = await withRecord();
    ctx.faults.checkSignup.push({ kind: 'hang' });
    const holds = nextHold(ctx.faults);
    const call = put();
    await holds;
    expect(ctx.faults.holding).toBe(1);
    ctx.faults.release();
    expect(await call).toMatchObject({ status: 200, body: { provider: 'github' } });
    expect(ctx.signups.find(token)).toBeUndefined();
  });

  it('forgets queued faults on reset', async () => {
    const { ctx, put } = await withRecord();
    ctx.faults.checkSignup.push({ kind: 'status', status: 503 });
    ctx.faults.reset();
    expect((await put()).status).toBe(200);
  });
});

describe('check-signup answers the agent must map (contract §5, failure modes 25 and 27)', () => {
  it('answers USRC-1032 with the url of a record that says to switch servers', async () => {
    const { ctx, token, put } = await withRecord();
    const record = ctx.signups.find(token);
    if (record) record.switchToServerUrl = 'https://eu.api.codestream.example';
    expect(await put()).toEqual({
      status: 403,
      body: { code: 'USRC-1032', message: expect.any(String), url: 'https://eu.api.codestream.example' },
    });
  });

  it('reads a token pasted twice (72 characters) as its first 36', async () => {
    const { ctx, token } = await withRecord();
    const res = await fetch(`${lab!.envs.get('local')!.url}/no-auth/check-signup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: token + token }),
    });
    expect(res.status).toBe(200);
    // Contract §1.10: removed under the raw token, so the record it found is still there.
    expect(ctx.signups.find(token)).toBeDefined();
  });
});

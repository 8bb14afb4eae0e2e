import { afterEach, describe, expect, it } from 'vitest';
import { BroadcastClient } from '../../../src/agent-sim/broadcast-client.js';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { RunningApi } from '../../../src/mock-api/index.js';
import { startTestLab } from '../../helpers/lab.js';

let lab: Lab | undefined;
let client: BroadcastClient | undefined;
afterEach(async () => {
  await client?.close();
  await lab?.close();
  lab = undefined;
  client = undefined;
});

/** A lab and an agent subscribed to dana's me-channel over the real websocket. */
async function subscribed(): Promise<{
  api: RunningApi;
  client: BroadcastClient;
  subscribe: (since?: number) => Promise<void>;
}> {
  lab = await startTestLab();
  const api = lab.envs.get('local') as RunningApi;
  const token = api.ctx.store.users.get('dana')?.broadcasterToken ?? '';
  const agent = new BroadcastClient();
  client = agent;
  const subscribe = (since?: number) =>
    agent.subscribe({ apiUrl: api.url, token, channels: ['user-dana'], ...(since === undefined ? {} : { since }) });
  await subscribe();
  return { api, client: agent, subscribe };
}

const directive = (bytes: number) => ({
  user: {
    id: 'dana',
    $set: { 'providerInfo.acme.github.data': { filler: 'x'.repeat(bytes) }, version: 2 },
    $version: { before: 1, after: 2 },
  },
  requestId: 'r',
});

describe('large broadcasts over the wire (contract §4.2, failure mode 32)', () => {
  it('publishes a message over 10000 bytes as parts, which the agent applies once, whole', async () => {
    const { api, client } = await subscribed();
    const whole = api.ctx.broadcaster.publish('user-dana', directive(25_000));
    await client.sync();
    const wire = api.ctx.broadcaster.history.map((m) => m.message);
    expect(wire.map((m) => [m.fullMessageId, m.part, m.totalParts])).toEqual(
      [1, 2, 3].map((n) => [whole.message.messageId, n, 3]),
    );
    expect(new Set(wire.map((m) => m.messageId)).size).toBe(3);
    expect(api.ctx.broadcaster.messagesOn('user-dana')).toEqual([whole]);
    expect(client.received).toEqual([
      {
        channel: 'user-dana',
        timetoken: whole.timetoken,
        message: whole.message,
        history: false,
        duplicate: false,
        parts: 3,
      },
    ]);
    expect(client.partsLog).toEqual({ received: 3, duplicates: 0, broken: [] });
  });

  it('reassembles parts that arrive last first', async () => {
    const { api, client } = await subscribed();
    api.ctx.broadcaster.faults.reverseParts = true;
    const whole = api.ctx.broadcaster.publish('user-dana', directive(25_000));
    await client.sync();
    expect(api.ctx.broadcaster.history.map((m) => m.message.part)).toEqual([3, 2, 1]);
    expect(client.received).toHaveLength(1);
    expect(client.received[0]).toMatchObject({ message: whole.message, parts: 3, duplicate: false });
    expect(api.ctx.broadcaster.faults.reverseParts).toBe(false);
  });

  it('drops a part delivered twice by its messageId', async () => {
    const { api, client } = await subscribed();
    api.ctx.broadcaster.faults.duplicate = 1;
    api.ctx.broadcaster.publish('user-dana', directive(15_000));
    await client.sync();
    expect(client.partsLog).toEqual({ received: 3, duplicates: 1, broken: [] });
    expect(client.received).toHaveLength(1);
  });

  it('applies nothing while a part is missing, and completes from history on a resubscribe', async () => {
    const { api, client, subscribe } = await subscribed();
    api.ctx.broadcaster.faults.drop = 1;
    const whole = api.ctx.broadcaster.publish('user-dana', directive(25_000));
    await client.sync();
    expect(client.received).toEqual([]);
    expect(client.incomplete()).toEqual([
      { fullMessageId: whole.message.messageId, have: 2, totalParts: 3, missing: [1] },
    ]);
    await client.close();
    await subscribe(0);
    await client.sync();
    // History resends all three: the two held ones are duplicates, the lost one completes the message.
    expect(client.partsLog).toEqual({ received: 5, duplicates: 2, broken: [] });
    expect(client.received).toEqual([
      expect.objectContaining({ message: whole.message, history: true, parts: 3, duplicate: false }),
    ]);
    expect(client.incomplete()).toEqual([]);
  });

  it('leaves a message that fits in 10000 bytes whole', async () => {
    const { api, client } = await subscribed();
    const whole = api.ctx.broadcaster.publish('user-dana', directive(100));
    await client.sync();
    expect(api.ctx.broadcaster.history).toEqual([whole]);
    expect(client.received).toEqual([expect.not.objectContaining({ parts: expect.anything() })]);
  });

  it('does not publish a message that needs more than 1000 parts, and only logs it (failure mode 33)', async () => {
    const { api, client } = await subscribed();
    const whole = api.ctx.broadcaster.publish('user-dana', directive(10_000_000));
    await client.sync();
    expect(api.ctx.broadcaster.failures).toEqual([
      {
        channel: 'user-dana',
        messageId: whole.message.messageId,
        reason: expect.stringMatching(/bytes would need 100\d parts/),
      },
    ]);
    expect(api.ctx.broadcaster.history).toEqual([]);
    expect(client.received).toEqual([]);
    expect(client.partsLog.received).toBe(0);
  });
});

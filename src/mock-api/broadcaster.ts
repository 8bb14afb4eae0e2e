/**
 * The environment's broadcaster (PubNub's part, contract §4.2): channels user-<id> and team-<id>,
 * a message id on every message, and history for catch-up on (re)subscribe (contract §4.3).
 *
 * Wire protocol (JSON text frames), our own and small:
 *   client → {type:"subscribe", token, channels:[…], since?: timetoken}
 *   server → {type:"subscribed", channels} then any history after `since`, then live
 *   server → {type:"message", channel, timetoken, message}
 *   server → {type:"error", code, message}
 * A message over 10000 bytes of JSON goes out as parts, each its own publish (contract §4.2, message-parts.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from '../util/ws.js';
import { splitMessage } from '../protocol/message-parts.js';
import { isJsonObject, parseJson } from '../util/json.js';
import { DEFAULT_RECORD_CAP, pushCapped } from '../util/ring.js';
import { indexOf, leafStrings } from '../util/key-index.js';

export const BROADCASTER_PATH = '/broadcaster';

export interface PublishedMessage {
  channel: string;
  timetoken: number;
  message: Record<string, unknown>;
}

export interface BroadcasterOptions {
  now: () => number;
  /** Which channels a subscriber token may read; undefined means the token is unknown. */
  authorize(token: string): readonly string[] | undefined;
  /** Messages history, published and failures each keep (the newest); default DEFAULT_RECORD_CAP. */
  cap?: number;
}

/** A publish that never went out; the real server only logs these (contract failure mode 33). */
export interface FailedPublish {
  channel: string;
  messageId: string;
  reason: string;
}

export class Broadcaster {
  /** What went over the wire and PubNub stores: whole messages, or the parts of large ones. */
  readonly history: PublishedMessage[] = [];
  /** Whole messages as the API published them, before any split. */
  readonly published: PublishedMessage[] = [];
  readonly failures: FailedPublish[] = [];
  /**
   * Set by scenarios: drop the next N wire messages (a lost broadcast, or one lost part), deliver the next N
   * twice, answer no history, or send the next split message's parts in reverse order.
   */
  readonly faults = { drop: 0, duplicate: 0, blockHistory: false, reverseParts: false };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly subscribers = new Map<WebSocket, Set<string>>();
  private lastTimetoken = 0;
  private readonly cap: number;

  constructor(private readonly opts: BroadcasterOptions) {
    this.cap = opts.cap ?? DEFAULT_RECORD_CAP;
    this.wss.on('connection', (ws) => this.onConnection(ws));
  }

  /** Takes over upgrades on BROADCASTER_PATH of an HTTP server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith(BROADCASTER_PATH)) return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    });
  }

  /**
   * Publishes with a fresh messageId (UUID v4) unless the message already has one; a large one goes out in
   * parts.
   */
  publish(channel: string, message: Record<string, unknown>): PublishedMessage {
    const full = { ...message, messageId: typeof message.messageId === 'string' ? message.messageId : randomUUID() };
    const split = splitMessage(full, randomUUID);
    if (split.kind === 'too-large') {
      // note: like the real publisher, the API carries on as if it had been sent; only this log knows.
      pushCapped(
        this.failures,
        {
          channel,
          messageId: full.messageId,
          reason: `${split.bytes} bytes would need ${split.parts} parts`,
        },
        this.cap,
      );
      return { channel, timetoken: this.lastTimetoken, message: full };
    }
    let wire: Record<string, unknown>[] = split.wire;
    if (split.kind === 'parts' && this.faults.reverseParts) {
      this.faults.reverseParts = false;
      wire = [...wire].reverse();
    }
    const sent = wire.map((m) => this.publishOne(channel, m));
    const whole = { channel, timetoken: sent.at(-1)?.timetoken ?? this.lastTimetoken, message: full };
    pushCapped(this.published, whole, this.cap);
    return whole;
  }

  private publishOne(channel: string, message: Record<string, unknown>): PublishedMessage {
    const timetoken = Math.max(this.opts.now() * 10_000, this.lastTimetoken + 1);
    this.lastTimetoken = timetoken;
    const published = { channel, timetoken, message };
    if (this.faults.drop > 0) {
      // note: a lost broadcast still lands in history, as PubNub stores what it could not deliver.
      this.faults.drop -= 1;
      pushCapped(this.history, published, this.cap);
      return published;
    }
    pushCapped(this.history, published, this.cap);
    this.deliver(published);
    if (this.faults.duplicate > 0) {
      this.faults.duplicate -= 1;
      this.deliver(published);
    }
    return published;
  }

  /** Whole messages published on a channel (for checks that nothing leaked elsewhere). */
  messagesOn(channel: string): PublishedMessage[] {
    return [...indexOf(this.published, 'channel', (m) => [m.channel]).get(channel)];
  }

  /** Whole messages that carry `value` as one of their strings: where a flow's token went. */
  carrying(value: string): readonly PublishedMessage[] {
    return indexOf(this.published, 'strings', (m) => leafStrings(m.message)).get(value);
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((done) => this.wss.close(() => done()));
  }

  /** How many open connections are subscribed to `channel` (what a publish to it reaches). */
  subscriberCount(channel: string): number {
    return [...this.subscribers.values()].filter((channels) => channels.has(channel)).length;
  }

  private deliver(published: PublishedMessage): void {
    const frame = JSON.stringify({ type: 'message', ...published });
    for (const [ws, channels] of this.subscribers) if (channels.has(published.channel)) ws.send(frame);
  }

  private onConnection(ws: WebSocket): void {
    this.subscribers.set(ws, new Set());
    ws.on('close', () => this.subscribers.delete(ws));
    ws.on('error', () => this.subscribers.delete(ws));
    ws.on('message', (data) => this.onFrame(ws, textOfFrame(data)));
  }

  private onFrame(ws: WebSocket, text: string): void {
    const parsed = parseJson(text);
    if (parsed === undefined)
      return void ws.send(JSON.stringify({ type: 'error', code: 'RAPI-1012', message: 'frame is not JSON' }));
    // note: "null" is valid JSON; reading .type of it would throw inside ws's event and take the process down.
    const frame = isJsonObject(parsed) ? parsed : {};
    if (frame.type !== 'subscribe' || typeof frame.token !== 'string' || !Array.isArray(frame.channels)) {
      return void ws.send(
        JSON.stringify({ type: 'error', code: 'RAPI-1001', message: 'expected {type:"subscribe", token, channels}' }),
      );
    }
    const allowed = this.opts.authorize(frame.token);
    const wanted = frame.channels.filter((c): c is string => typeof c === 'string');
    if (!allowed || wanted.some((c) => !allowed.includes(c))) {
      return void ws.send(
        JSON.stringify({ type: 'error', code: 'AUTH-1001', message: 'not allowed to subscribe to these channels' }),
      );
    }
    const channels = this.subscribers.get(ws);
    for (const c of wanted) channels?.add(c);
    ws.send(JSON.stringify({ type: 'subscribed', channels: wanted }));
    if (typeof frame.since === 'number' && !this.faults.blockHistory) {
      const since = frame.since;
      const byChannel = indexOf(this.history, 'channel', (m) => [m.channel]);
      const missed = [...new Set(wanted)]
        .flatMap((c) => byChannel.get(c).filter((m) => m.timetoken > since))
        .sort((a, b) => a.timetoken - b.timetoken);
      for (const m of missed) ws.send(JSON.stringify({ type: 'message', ...m, history: true }));
    }
  }
}

// ws hands text frames over as a Buffer; a fragmented or ArrayBuffer one is joined the same way.
function textOfFrame(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(new Uint8Array(data)).toString('utf8');
}

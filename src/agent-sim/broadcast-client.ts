/**
 * The agent's broadcaster subscriber: subscribe, receive, reassemble large messages from their parts
 * (contract §4.2), then dedupe by messageId (§4.3).
 */
import { WebSocket } from '../util/ws.js';
import { AppError } from '../errors.js';
import { PartAssembler } from '../protocol/message-parts.js';
import { defined } from '../util/defined.js';
import { objectOrEmpty, parseJsonObject } from '../util/json.js';
import { frameText } from '../util/ws-frame.js';

export interface ReceivedMessage {
  channel: string;
  timetoken: number;
  message: Record<string, unknown>;
  /** Delivered from history on (re)subscribe rather than live. */
  history: boolean;
  /** A second delivery of a messageId already seen; kept for checks, never applied. */
  duplicate: boolean;
  /** Reassembled from this many parts (a message over 10000 bytes); absent for a message sent whole. */
  parts?: number;
}

/** What the client did with parts of large messages. */
export interface PartsLog {
  /** Parts received, duplicates included. */
  received: number;
  /** Parts dropped because their messageId (or number) was already held. */
  duplicates: number;
  /** Why a set of parts could not be turned into a message. */
  broken: string[];
}

type PartMeta = { timetoken: number; history: boolean };

export interface BroadcastClientOptions {
  apiUrl: string;
  token: string;
  channels: string[];
  /** Ask for history after this timetoken (catch-up). */
  since?: number;
}

export class BroadcastClient {
  readonly received: ReceivedMessage[] = [];
  readonly partsLog: PartsLog = { received: 0, duplicates: 0, broken: [] };
  private readonly seen = new Set<string>();
  private readonly assembler = new PartAssembler<PartMeta>();
  private waiters: Array<() => void> = [];
  private syncWaiters: Array<(error?: AppError) => void> = [];
  private ws: WebSocket | undefined;
  private subscription: BroadcastClientOptions | undefined;
  /** The channels the broadcaster confirmed in its last "subscribed" frame. */
  confirmedChannels: string[] = [];

  /** Connects and resolves once the broadcaster confirmed the subscription. */
  async subscribe(opts: BroadcastClientOptions): Promise<void> {
    const url = `${opts.apiUrl.replace(/^http/, 'ws')}/broadcaster`;
    const ws = new WebSocket(url);
    this.ws = ws;
    this.subscription = opts;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', (err) =>
        reject(new AppError('HTTP_FAILED', `could not connect to the broadcaster at ${url}`, { cause: err })),
      );
      ws.once('open', () =>
        ws.send(
          JSON.stringify({
            type: 'subscribe',
            token: opts.token,
            channels: opts.channels,
            ...defined({ since: opts.since }),
          }),
        ),
      );
      ws.on('message', (data) => {
        const frame = parseJsonObject(frameText(data));
        if (frame?.type === 'subscribed') {
          this.confirmedChannels = Array.isArray(frame.channels)
            ? frame.channels.filter((c): c is string => typeof c === 'string')
            : [];
          resolve();
          this.syncWaiters.shift()?.();
        } else if (frame?.type === 'error') {
          const refused = new AppError(
            'HTTP_FAILED',
            `broadcaster refused the subscription: ${String(frame.code)} ${String(frame.message)}`,
          );
          reject(refused);
          this.syncWaiters.shift()?.(refused);
        } else if (frame?.type === 'message') this.onMessage(frame);
      });
    });
  }

  /** Resolves with the first applied (non-duplicate) message matching `predicate`, or rejects after timeoutMs. */
  waitFor(
    predicate: (m: ReceivedMessage) => boolean,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<ReceivedMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.received.find((m) => !m.duplicate && predicate(m));
        if (found) {
          cleanup();
          resolve(found);
        }
        return found !== undefined;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new AppError('BROADCAST_TIMEOUT', `no matching broadcast within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAbort = () => {
        cleanup();
        reject(new AppError('FLOW_ABORTED', 'interrupted while waiting for the broadcast'));
      };
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter = () => void check();
      signal?.addEventListener('abort', onAbort);
      if (!check()) this.waiters.push(waiter);
    });
  }

  /**
   * The first applied message matching `predicate` among everything the broadcaster sent before this call.
   * The API publishes before it answers (contract §4.2), so once the request that publishes has its answer, a
   * sync settles it: the message is here, or it was lost. No timer, so a lost broadcast fails at once.
   */
  async delivered(predicate: (m: ReceivedMessage) => boolean, what: string): Promise<ReceivedMessage> {
    const find = () => this.received.find((m) => !m.duplicate && predicate(m));
    const early = find();
    if (early) return early;
    await this.sync();
    const found = find();
    if (found) return found;
    throw new AppError(
      'BROADCAST_LOST',
      `no ${what} arrived on ${this.subscription?.channels.join(', ') ?? 'the channel'}`,
      {
        hint: 'Everything the broadcaster sent before now has arrived (a sync round trip), so it was never sent or was dropped on the way.',
      },
    );
  }

  /** Large messages with parts still missing: none of them was applied. */
  incomplete(): ReturnType<PartAssembler['incomplete']> {
    return this.assembler.incomplete();
  }

  /** Whether a subscription is open. */
  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /**
   * A barrier: resolves once every message the broadcaster sent before this call has arrived. The
   * broadcaster answers a repeated subscribe in order on the same socket, so the answer trails them.
   */
  async sync(): Promise<void> {
    const ws = this.ws;
    const opts = this.subscription;
    if (!ws || !opts || ws.readyState !== WebSocket.OPEN)
      throw new AppError('HTTP_FAILED', 'the broadcast client is not subscribed');
    await new Promise<void>((resolve, reject) => {
      const onClose = () => reject(new AppError('HTTP_FAILED', 'the broadcaster closed the connection during a sync'));
      ws.once('close', onClose);
      this.syncWaiters.push((error) => {
        ws.off('close', onClose);
        if (error) reject(error);
        else resolve();
      });
      ws.send(JSON.stringify({ type: 'subscribe', token: opts.token, channels: opts.channels }));
    });
  }

  async close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((done) => {
      ws.once('close', () => done());
      ws.terminate();
    });
  }

  private onMessage(frame: Record<string, unknown>): void {
    const raw = objectOrEmpty(frame.message);
    const meta: PartMeta = { timetoken: Number(frame.timetoken), history: frame.history === true };
    const verdict = this.assembler.accept(raw, meta);
    if (verdict.kind === 'whole') return this.add(String(frame.channel), verdict.message, meta);
    this.partsLog.received += 1;
    if (verdict.kind === 'duplicate-part') this.partsLog.duplicates += 1;
    else if (verdict.kind === 'broken') this.partsLog.broken.push(`${verdict.fullMessageId}: ${verdict.reason}`);
    else if (verdict.kind === 'complete') {
      // The whole counts as from history if any part had to come from there; it is as recent as its last part.
      const metas = verdict.metas;
      this.add(
        String(frame.channel),
        verdict.message,
        { timetoken: Math.max(...metas.map((m) => m.timetoken)), history: metas.some((m) => m.history) },
        verdict.parts,
      );
    }
  }

  // Dedupe by messageId happens on whole messages, after reassembly (contract §4.3).
  private add(channel: string, message: Record<string, unknown>, meta: PartMeta, parts?: number): void {
    const id = typeof message.messageId === 'string' ? message.messageId : '';
    const duplicate = id !== '' && this.seen.has(id);
    if (id) this.seen.add(id);
    this.received.push({
      channel,
      timetoken: meta.timetoken,
      message,
      history: meta.history,
      duplicate,
      ...defined({ parts }),
    });
    for (const w of [...this.waiters]) w();
  }
}

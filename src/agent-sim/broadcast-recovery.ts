/**
 * How the agent makes sure a directive reaches its me-object although broadcasts get lost, doubled or
 * arrive with a version gap (contract §4.3): a live message first; otherwise a resubscribe that asks
 * the channel's history; otherwise GET /users/me. Duplicates (same messageId) are never applied twice.
 */
import type { EventSink, FlowEvent } from '../events.js';
import type { ApiClient } from './api-client.js';
import type { BroadcastClient, BroadcastClientOptions, ReceivedMessage } from './broadcast-client.js';
import { defined } from '../util/defined.js';
import { isJsonObject, objectOrEmpty } from '../util/json.js';
import { applyDirective, type ApplyOutcome } from './me-cache.js';

/** How the directive reached the agent; 'none' when it did not (stored, but the agent never heard). */
export type DeliveryPath = 'live' | 'history' | 'users-me' | 'none';

/** What a reconnect does about history (contract §4.3), by how long the connection was down. */
export type CatchUp = 'history' | 'skip' | 'reset';

/** How a directive reached the agent, and the me-object afterwards. */
export interface Delivery {
  path: DeliveryPath;
  /** The message applied (live or from history); absent when only /users/me had it. */
  message?: ReceivedMessage;
  /** What applying the directive to the cache said; 'none' when there was nothing to apply. */
  applied: ApplyOutcome | 'none';
  /** GET /users/me was needed: a version gap, or no message at all. */
  refetched: boolean;
  /** Later copies of the applied messageId that were dropped. */
  duplicatesDropped: number;
  /** The me-object after recovery (the cache, or the re-fetched one). */
  me: Record<string, unknown>;
}

/** The agent's clients and clock, and when its session began or its connection dropped. */
export interface RecoveryOptions {
  client: BroadcastClient;
  api: ApiClient;
  subscription: BroadcastClientOptions;
  now: () => number;
  /** When the agent's session began: a fresh session fetches history from 10 s before it (contract §4.3). */
  sessionStartedAt: number;
  /** When the agent's connection dropped, if it is reconnecting now. */
  droppedAt?: number | undefined;
  onEvent?: EventSink | undefined;
}

// PubNub timetokens are 10^4 per millisecond; the broadcaster uses the same unit.
const TICKS_PER_MS = 10_000;
// Contract §4.3: since lastMessageReceivedAt − 12 s, or initStart − 10 s on a fresh session.
const RESUME_MARGIN_MS = 12_000;
const FRESH_MARGIN_MS = 10_000;
// Contract §4.3: no history fetch when the connection dropped less than 60 s ago; a reset past 1 day − 10 min.
const MIN_GAP_MS = 60_000;
const MAX_GAP_MS = 24 * 3_600_000 - 10 * 60_000;

/** The real agent's rule for a reconnect after `gapMs` offline. */
export function catchUpAfter(gapMs: number): CatchUp {
  if (gapMs < MIN_GAP_MS) return 'skip';
  return gapMs > MAX_GAP_MS ? 'reset' : 'history';
}

/** The history window a (re)subscribe asks for, as a timetoken. */
export function historySince(client: BroadcastClient, sessionStartedAt: number): number {
  const last = client.received.at(-1);
  return last !== undefined
    ? last.timetoken - RESUME_MARGIN_MS * TICKS_PER_MS
    : (sessionStartedAt - FRESH_MARGIN_MS) * TICKS_PER_MS;
}

/** Gets the directive `match` selects onto `me` by the first path that works; never waits on a timer. */
export async function receiveDirective(
  opts: RecoveryOptions,
  me: Record<string, unknown>,
  match: (m: ReceivedMessage) => boolean,
): Promise<Delivery> {
  if (!opts.client.connected && opts.droppedAt !== undefined)
    return reconnect(opts, me, match, catchUpAfter(opts.now() - opts.droppedAt));
  let path: DeliveryPath = 'live';
  if (opts.client.connected) await opts.client.sync();
  let found = firstMatch(opts.client, match);
  if (found === undefined) {
    // Resubscribe: what the broadcaster stored while this agent missed it comes back as history.
    path = 'history';
    await resubscribe(opts, historySince(opts.client, opts.sessionStartedAt));
    found = firstMatch(opts.client, match);
  }
  report(opts);
  if (found === undefined)
    return { path: 'users-me', applied: 'none', refetched: true, duplicatesDropped: 0, me: await opts.api.me() };
  return apply(opts, me, found, found.history ? 'history' : path);
}

// After time offline the rule of contract §4.3 decides: history, nothing at all, or a session reset.
async function reconnect(
  opts: RecoveryOptions,
  me: Record<string, unknown>,
  match: (m: ReceivedMessage) => boolean,
  catchUp: CatchUp,
): Promise<Delivery> {
  await resubscribe(opts, catchUp === 'history' ? historySince(opts.client, opts.sessionStartedAt) : undefined);
  report(opts);
  if (catchUp === 'reset')
    return { path: 'users-me', applied: 'none', refetched: true, duplicatesDropped: 0, me: await opts.api.me() };
  const found = firstMatch(opts.client, match);
  if (found === undefined) return { path: 'none', applied: 'none', refetched: false, duplicatesDropped: 0, me };
  return apply(opts, me, found, found.history ? 'history' : 'live');
}

async function resubscribe(opts: RecoveryOptions, since: number | undefined): Promise<void> {
  await opts.client.close();
  await opts.client.subscribe({ ...opts.subscription, ...defined({ since }) });
  await opts.client.sync();
}

async function apply(
  opts: RecoveryOptions,
  me: Record<string, unknown>,
  found: ReceivedMessage,
  path: DeliveryPath,
): Promise<Delivery> {
  const applied = applyDirective(me, objectOrEmpty(found.message.user));
  const duplicatesDropped = opts.client.received.filter(
    (m) => m.duplicate && m.message.messageId === found.message.messageId,
  ).length;
  if (applied === 'refetch-needed')
    return { path, message: found, applied, refetched: true, duplicatesDropped, me: await opts.api.me() };
  return { path, message: found, applied, refetched: false, duplicatesDropped, me };
}

function firstMatch(client: BroadcastClient, match: (m: ReceivedMessage) => boolean): ReceivedMessage | undefined {
  return client.received.find((m) => !m.duplicate && match(m));
}

// One message event per received frame, so diagrams show live, history and dropped copies.
const reported = new WeakSet<ReceivedMessage>();
function report(opts: RecoveryOptions): void {
  for (const m of opts.client.received) reportMessage(m, opts.onEvent);
}

/** Emits the `message` event of a broadcast the agent received (channel, directive version, how it came), once. */
export function reportMessage(m: ReceivedMessage, onEvent: EventSink | undefined): void {
  if (reported.has(m)) return;
  reported.add(m);
  onEvent?.(messageEvent(m));
}

function messageEvent(m: ReceivedMessage): Extract<FlowEvent, { type: 'message' }> {
  const version = objectOrEmpty(m.message.user).$version;
  const delivery = m.duplicate ? 'duplicate, dropped' : m.history ? 'from history' : 'live';
  const how = `${delivery}${m.parts === undefined ? '' : `, reassembled from ${m.parts} parts`}`;
  const what = isJsonObject(version) ? `directive v${String(version.before)}→${String(version.after)}` : 'message';
  const summary = `${what} (${how})`;
  return { type: 'message', from: 'broadcaster', to: 'agent', channel: m.channel, summary };
}

/**
 * How the agent makes sure a directive reaches its me-object although broadcasts get lost, doubled or
 * arrive with a version gap (contract §4.3): a live message first; otherwise a resubscribe that asks
 * the channel's history; otherwise GET /users/me. Duplicates (same messageId) are never applied twice.
 */
import type { EventSink } from '../events.js';
import type { ApiClient } from './api-client.js';
import type { BroadcastClient, BroadcastClientOptions, ReceivedMessage } from './broadcast-client.js';
import { applyDirective, type ApplyOutcome } from './me-cache.js';

/** How the directive reached the agent. */
export type DeliveryPath = 'live' | 'history' | 'users-me';

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

export interface RecoveryOptions {
  client: BroadcastClient;
  api: ApiClient;
  subscription: BroadcastClientOptions;
  now: () => number;
  /** When the agent's session began: a fresh session fetches history from 10 s before it (contract §4.3). */
  sessionStartedAt: number;
  onEvent?: EventSink | undefined;
}

// PubNub timetokens are 10^4 per millisecond; the broadcaster uses the same unit.
const TICKS_PER_MS = 10_000;
// Contract §4.3: since lastMessageReceivedAt − 12 s, or initStart − 10 s on a fresh session.
const RESUME_MARGIN_MS = 12_000;
const FRESH_MARGIN_MS = 10_000;

/** The history window a (re)subscribe asks for, as a timetoken. */
export function historySince(client: BroadcastClient, sessionStartedAt: number): number {
  const last = client.received.at(-1);
  return last !== undefined ? last.timetoken - RESUME_MARGIN_MS * TICKS_PER_MS : (sessionStartedAt - FRESH_MARGIN_MS) * TICKS_PER_MS;
}

/** Gets the directive `match` selects onto `me` by the first path that works; never waits on a timer. */
export async function receiveDirective(opts: RecoveryOptions, me: Record<string, unknown>, match: (m: ReceivedMessage) => boolean): Promise<Delivery> {
  const reported = new Set<ReceivedMessage>();
  let path: DeliveryPath = 'live';
  if (opts.client.connected) await opts.client.sync();
  let found = firstMatch(opts.client, match);
  if (found === undefined) {
    // Resubscribe: what the broadcaster stored while this agent missed it comes back as history.
    path = 'history';
    const since = historySince(opts.client, opts.sessionStartedAt);
    await opts.client.close();
    await opts.client.subscribe({ ...opts.subscription, since });
    await opts.client.sync();
    found = firstMatch(opts.client, match);
  }
  report(opts, reported);
  if (found === undefined) {
    const fetched = await opts.api.me();
    return { path: 'users-me', applied: 'none', refetched: true, duplicatesDropped: 0, me: fetched };
  }
  if (found.history) path = 'history';
  const directive = (found.message.user ?? {}) as Record<string, unknown>;
  const applied = applyDirective(me, directive);
  const duplicatesDropped = opts.client.received.filter((m) => m.duplicate && m.message.messageId === found.message.messageId).length;
  if (applied === 'refetch-needed') {
    return { path, message: found, applied, refetched: true, duplicatesDropped, me: await opts.api.me() };
  }
  return { path, message: found, applied, refetched: false, duplicatesDropped, me };
}

function firstMatch(client: BroadcastClient, match: (m: ReceivedMessage) => boolean): ReceivedMessage | undefined {
  return client.received.find((m) => !m.duplicate && match(m));
}

// One message event per received frame, so diagrams show live, history and dropped copies.
function report(opts: RecoveryOptions, reported: Set<ReceivedMessage>): void {
  for (const m of opts.client.received) {
    if (reported.has(m)) continue;
    reported.add(m);
    const version = ((m.message.user ?? {}) as { $version?: { before?: unknown; after?: unknown } }).$version;
    const how = m.duplicate ? 'duplicate, dropped' : m.history ? 'from history' : 'live';
    const summary = `${version ? `directive v${String(version.before)}→${String(version.after)}` : 'message'} (${how})`;
    opts.onEvent?.({ type: 'message', from: 'broadcaster', to: 'agent', channel: m.channel, summary });
  }
}

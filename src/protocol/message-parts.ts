/**
 * Large broadcasts (contract §4.2, failure mode 32): the publisher splits any message whose JSON is over
 * 10000 bytes into parts {messageId, fullMessageId, part, totalParts, message}, each `message` a slice of
 * the JSON text, at most 1000 parts; the agent reassembles them before it dedupes and applies the whole.
 * Pure: ids come from the caller, nothing here does I/O.
 */
import { parseJsonObject } from '../util/json.js';

/** Messages whose JSON is longer than this many UTF-8 bytes are split. */
export const PART_THRESHOLD_BYTES = 10_000;
/** A message that would need more parts is not published at all. */
export const MAX_PARTS = 1000;

/** One part on the wire. `part` counts from 1 (the contract names the fields, not the base; ours is 1). */
export type MessagePart = {
  messageId: string;
  fullMessageId: string;
  part: number;
  totalParts: number;
  message: string;
};

/** What a publisher sends for one message: the message itself, its parts, or nothing (too large). */
export type SplitResult =
  | { kind: 'whole'; wire: [Record<string, unknown>] }
  | { kind: 'parts'; wire: MessagePart[]; bytes: number }
  | { kind: 'too-large'; bytes: number; parts: number };

/** Splits `message` (which carries its messageId) when its JSON is over the threshold; `newId` names each part. */
export function splitMessage(
  message: Record<string, unknown> & { messageId: string },
  newId: () => string,
  maxBytes = PART_THRESHOLD_BYTES,
): SplitResult {
  const bytes = Buffer.from(JSON.stringify(message), 'utf8');
  if (bytes.length <= maxBytes) return { kind: 'whole', wire: [message] };
  const slices = sliceUtf8(bytes, maxBytes);
  if (slices.length > MAX_PARTS) return { kind: 'too-large', bytes: bytes.length, parts: slices.length };
  const wire = slices.map((text, i) => ({
    messageId: newId(),
    fullMessageId: message.messageId,
    part: i + 1,
    totalParts: slices.length,
    message: text,
  }));
  return { kind: 'parts', wire, bytes: bytes.length };
}

// note: cuts on UTF-8 character boundaries, so every slice is valid text of at most maxBytes and the slices join back exactly.
function sliceUtf8(bytes: Buffer, maxBytes: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Back off over continuation bytes (10xxxxxx) so no character is split.
    while (end < bytes.length && end > start && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
    out.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return out;
}

/** Whether a received message is a part rather than a whole message. */
export function isMessagePart(message: Record<string, unknown>): message is Record<string, unknown> & MessagePart {
  return (
    typeof message.fullMessageId === 'string' &&
    typeof message.message === 'string' &&
    Number.isInteger(message.part) &&
    Number.isInteger(message.totalParts)
  );
}

/** What one received message means to the assembler; `metas` are the caller's notes on each part, in part order. */
export type PartVerdict<M> =
  | { kind: 'whole'; message: Record<string, unknown> }
  | { kind: 'duplicate-part'; fullMessageId: string; part: number }
  | { kind: 'pending'; fullMessageId: string; have: number; totalParts: number }
  | { kind: 'complete'; message: Record<string, unknown>; parts: number; metas: M[] }
  | { kind: 'broken'; fullMessageId: string; reason: string };

interface Pending<M> {
  totalParts: number;
  slices: Map<number, { text: string; meta: M }>;
}

/**
 * Collects parts in any order: a part whose messageId (or whose number) was already seen is dropped, and a
 * message is complete only when every one of its parts arrived; until then nothing of it is applied.
 */
export class PartAssembler<M = undefined> {
  private readonly seenPartIds = new Set<string>();
  private readonly pending = new Map<string, Pending<M>>();
  private readonly completed = new Set<string>();

  /** Takes one received message; `meta` travels with a part to the verdict that completes it. */
  accept(message: Record<string, unknown>, meta: M): PartVerdict<M> {
    if (!isMessagePart(message)) return { kind: 'whole', message };
    const { fullMessageId, part, totalParts } = message;
    const partId = typeof message.messageId === 'string' ? message.messageId : '';
    if ((partId !== '' && this.seenPartIds.has(partId)) || this.completed.has(fullMessageId))
      return { kind: 'duplicate-part', fullMessageId, part };
    if (totalParts < 1 || totalParts > MAX_PARTS || part < 1 || part > totalParts) {
      return {
        kind: 'broken',
        fullMessageId,
        reason: `part ${part} of ${totalParts} is out of range (1–${MAX_PARTS} parts)`,
      };
    }
    const entry = this.pending.get(fullMessageId) ?? {
      totalParts,
      slices: new Map<number, { text: string; meta: M }>(),
    };
    if (entry.totalParts !== totalParts)
      return {
        kind: 'broken',
        fullMessageId,
        reason: `part ${part} says ${totalParts} parts, an earlier one ${entry.totalParts}`,
      };
    if (entry.slices.has(part)) return { kind: 'duplicate-part', fullMessageId, part };
    if (partId !== '') this.seenPartIds.add(partId);
    entry.slices.set(part, { text: message.message, meta });
    this.pending.set(fullMessageId, entry);
    if (entry.slices.size < totalParts) return { kind: 'pending', fullMessageId, have: entry.slices.size, totalParts };
    this.pending.delete(fullMessageId);
    this.completed.add(fullMessageId);
    const ordered = [...entry.slices.entries()].sort(([a], [b]) => a - b).map(([, slice]) => slice);
    const whole = parseJsonObject(ordered.map((s) => s.text).join(''));
    if (whole === undefined)
      return { kind: 'broken', fullMessageId, reason: `the ${totalParts} parts do not join into a JSON object` };
    return {
      kind: 'complete',
      message: { ...whole, messageId: whole.messageId ?? fullMessageId },
      parts: totalParts,
      metas: ordered.map((s) => s.meta),
    };
  }

  /** Messages some of whose parts arrived but not all: they were never applied. */
  incomplete(): Array<{ fullMessageId: string; have: number; totalParts: number; missing: number[] }> {
    return [...this.pending.entries()].map(([fullMessageId, entry]) => ({
      fullMessageId,
      have: entry.slices.size,
      totalParts: entry.totalParts,
      missing: Array.from({ length: entry.totalParts }, (_, i) => i + 1).filter((n) => !entry.slices.has(n)),
    }));
  }
}

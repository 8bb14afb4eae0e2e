import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_PARTS,
  PART_THRESHOLD_BYTES,
  PartAssembler,
  splitMessage,
  type MessagePart,
} from '../../src/protocol/message-parts.js';

const idsFrom = (prefix: string) => {
  let n = 0;
  return () => `${prefix}-${++n}`;
};

/** A user directive whose JSON is about `bytes` long (the filler sits in the stored token's data). */
function directive(bytes: number, filler = 'x'): Record<string, unknown> & { messageId: string } {
  return {
    user: {
      id: 'dana',
      $set: { 'providerInfo.acme.github.data': { installation_details: filler.repeat(bytes) }, version: 2 },
      $version: { before: 1, after: 2 },
    },
    requestId: 'req-1',
    messageId: 'full-1',
  };
}

function partsOf(message: Record<string, unknown> & { messageId: string }): MessagePart[] {
  const split = splitMessage(message, idsFrom('part'));
  if (split.kind !== 'parts') throw new Error(`expected parts, got ${split.kind}`);
  return split.wire;
}

describe('splitMessage (contract §4.2, failure mode 32)', () => {
  it('sends a message of up to 10000 bytes of JSON whole', () => {
    const pad = PART_THRESHOLD_BYTES - Buffer.byteLength(JSON.stringify(directive(10)));
    const atLimit = directive(10 + pad);
    expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(PART_THRESHOLD_BYTES);
    expect(splitMessage(atLimit, idsFrom('p'))).toEqual({ kind: 'whole', wire: [atLimit] });
    expect(splitMessage(directive(11 + pad), idsFrom('p')).kind).toBe('parts');
  });

  it('splits a larger one into parts of at most 10000 bytes that name the whole and join back to its JSON', () => {
    const message = directive(25_000);
    const parts = partsOf(message);
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => [p.messageId, p.fullMessageId, p.part, p.totalParts])).toEqual([
      ['part-1', 'full-1', 1, 3],
      ['part-2', 'full-1', 2, 3],
      ['part-3', 'full-1', 3, 3],
    ]);
    expect(parts.every((p) => Buffer.byteLength(p.message) <= PART_THRESHOLD_BYTES)).toBe(true);
    expect(parts.map((p) => p.message).join('')).toBe(JSON.stringify(message));
  });

  it('never cuts a multi-byte character in two', () => {
    // 3-byte characters: 10000 is not a multiple of 3, so a byte-exact cut would split one.
    const message = directive(9000, '€');
    const parts = partsOf(message);
    expect(
      parts.every((p) => !p.message.includes('\uFFFD') && Buffer.byteLength(p.message) <= PART_THRESHOLD_BYTES),
    ).toBe(true);
    expect(parts.map((p) => p.message).join('')).toBe(JSON.stringify(message));
  });

  it(`refuses a message that would need more than ${MAX_PARTS} parts`, () => {
    const split = splitMessage(directive(MAX_PARTS * PART_THRESHOLD_BYTES), idsFrom('p'));
    expect(split).toMatchObject({ kind: 'too-large', parts: MAX_PARTS + 1 });
  });
});

describe('PartAssembler', () => {
  const message = directive(25_000);

  it('passes a whole message through untouched', () => {
    expect(new PartAssembler().accept({ user: {}, messageId: 'm' }, undefined)).toEqual({
      kind: 'whole',
      message: { user: {}, messageId: 'm' },
    });
  });

  it('completes only with the last part, carrying each part’s note in part order', () => {
    const assembler = new PartAssembler<string>();
    const [p1, p2, p3] = partsOf(message) as [MessagePart, MessagePart, MessagePart];
    expect(assembler.accept(p1, 'a')).toEqual({ kind: 'pending', fullMessageId: 'full-1', have: 1, totalParts: 3 });
    expect(assembler.accept(p2, 'b')).toMatchObject({ kind: 'pending', have: 2 });
    expect(assembler.accept(p3, 'c')).toEqual({ kind: 'complete', message, parts: 3, metas: ['a', 'b', 'c'] });
    expect(assembler.incomplete()).toEqual([]);
  });

  it('reassembles the parts in any order of arrival', () => {
    const parts = partsOf(message);
    fc.assert(
      fc.property(fc.shuffledSubarray(parts, { minLength: parts.length, maxLength: parts.length }), (order) => {
        const assembler = new PartAssembler<number>();
        const verdicts = order.map((p) => assembler.accept(p, p.part));
        expect(verdicts.slice(0, -1).every((v) => v.kind === 'pending')).toBe(true);
        expect(verdicts.at(-1)).toEqual({ kind: 'complete', message, parts: 3, metas: [1, 2, 3] });
      }),
    );
  });

  it('drops a part whose messageId it already holds, and any part of a message it completed', () => {
    const assembler = new PartAssembler();
    const [p1, p2, p3] = partsOf(message) as [MessagePart, MessagePart, MessagePart];
    assembler.accept(p1, undefined);
    expect(assembler.accept(p1, undefined)).toEqual({ kind: 'duplicate-part', fullMessageId: 'full-1', part: 1 });
    // The same part number under another id (a re-publish) is no new information either.
    expect(assembler.accept({ ...p1, messageId: 'other' }, undefined)).toMatchObject({
      kind: 'duplicate-part',
      part: 1,
    });
    assembler.accept(p2, undefined);
    expect(assembler.accept(p3, undefined).kind).toBe('complete');
    expect(assembler.accept({ ...p3, messageId: 'late-copy' }, undefined)).toMatchObject({
      kind: 'duplicate-part',
      part: 3,
    });
  });

  it('never completes a message with a part missing, and says which one', () => {
    const assembler = new PartAssembler();
    const [p1, , p3] = partsOf(message) as [MessagePart, MessagePart, MessagePart];
    expect(assembler.accept(p3, undefined).kind).toBe('pending');
    expect(assembler.accept(p1, undefined).kind).toBe('pending');
    expect(assembler.accept(p1, undefined).kind).toBe('duplicate-part');
    expect(assembler.incomplete()).toEqual([{ fullMessageId: 'full-1', have: 2, totalParts: 3, missing: [2] }]);
  });

  it.each([
    ['a part number past totalParts', { part: 4, totalParts: 3 }, 'out of range'],
    ['part 0', { part: 0, totalParts: 3 }, 'out of range'],
    [`more than ${MAX_PARTS} parts`, { part: 1, totalParts: MAX_PARTS + 1 }, 'out of range'],
  ])('refuses %s', (_name, fields, reason) => {
    const [p1] = partsOf(message) as [MessagePart];
    const verdict = new PartAssembler().accept({ ...p1, ...fields }, undefined);
    expect(verdict).toMatchObject({ kind: 'broken', fullMessageId: 'full-1' });
    expect(verdict.kind === 'broken' && verdict.reason).toContain(reason);
  });

  it('refuses parts that disagree on totalParts, and parts that do not join into an object', () => {
    const [p1, p2] = partsOf(message) as [MessagePart, MessagePart];
    const assembler = new PartAssembler();
    assembler.accept(p1, undefined);
    expect(assembler.accept({ ...p2, totalParts: 4 }, undefined)).toMatchObject({
      kind: 'broken',
      reason: expect.stringContaining('earlier one 3'),
    });
    const garbage = [1, 2].map((n) => ({
      messageId: `g${n}`,
      fullMessageId: 'g',
      part: n,
      totalParts: 2,
      message: n === 1 ? '{"user":' : '[1,2',
    }));
    const other = new PartAssembler();
    other.accept(garbage[0] as MessagePart, undefined);
    expect(other.accept(garbage[1] as MessagePart, undefined)).toMatchObject({ kind: 'broken', fullMessageId: 'g' });
  });
});

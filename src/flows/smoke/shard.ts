/**
 * `smoke --shard i/n`: a stable slice of the matrix, the convention of Playwright and vitest, so a CI matrix of
 * n jobs covers every cell exactly once. Cell k (in plan order, which is deterministic) goes to shard k mod n + 1:
 * shards differ in size by at most one cell, and every job of one commit plans the same cells in the same order.
 */
import { UsageError } from '../../errors.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

const SHARD_HINT = 'Write it as i/n with whole numbers 1 ≤ i ≤ n, e.g. --shard 2/4.';

/** Parses "i/n"; anything else (0/3, 4/3, x) is a usage error. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`--shard must be i/n, not "${text}"`, { hint: SHARD_HINT });
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard ${text} is out of range: i must be from 1 to n`, { hint: SHARD_HINT });
  }
  return { index, count };
}

/** The cells of one shard, in plan order. */
export function shardCells<T>(cells: readonly T[], shard: Shard | undefined): T[] {
  if (shard === undefined) return [...cells];
  return cells.filter((_, k) => k % shard.count === shard.index - 1);
}

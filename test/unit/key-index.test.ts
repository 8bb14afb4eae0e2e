/**
 * The key indexes behind the journals (issue 14): an index finds what its list holds by key, learns each entry
 * pushCapped adds and forgets each one the cap drops, so a lookup never answers with an entry the list no longer has.
 */
import { describe, expect, it } from 'vitest';
import { clearIndexes, indexOf, leafStrings, queryKeys } from '../../src/util/key-index.js';
import { pushCapped } from '../../src/util/ring.js';

interface Entry {
  n: number;
  state: string;
}

describe('key indexes', () => {
  it('an index made after entries exist finds them, and learns later ones', () => {
    const list: Entry[] = [{ n: 1, state: 'a' }];
    const byState = indexOf(list, 'state', (e) => [e.state]);
    pushCapped(list, { n: 2, state: 'b' }, 10);
    pushCapped(list, { n: 3, state: 'a' }, 10);
    expect(byState.get('a').map((e) => e.n)).toEqual([1, 3]);
    expect(byState.get('b').map((e) => e.n)).toEqual([2]);
    expect(byState.get('c')).toEqual([]);
  });

  it('past the cap, every lookup answers only what the list still holds', () => {
    const list: Entry[] = [];
    const byState = indexOf(list, 'state', (e) => [e.state]);
    for (let n = 0; n < 500; n++) pushCapped(list, { n, state: `s${n % 7}` }, 50);
    for (let k = 0; k < 7; k++) {
      const expected = list.filter((e) => e.state === `s${k}`).map((e) => e.n);
      expect({ k, found: byState.get(`s${k}`).map((e) => e.n) }).toEqual({ k, found: expected });
    }
  });

  it('reindex takes keys an entry gained after it was added; clearIndexes starts over', () => {
    const list: Array<{ body: Record<string, string> }> = [];
    const byCode = () => indexOf(list, 'code', (e) => Object.values(e.body));
    byCode();
    const entry = { body: {} as Record<string, string> };
    pushCapped(list, entry);
    entry.body.code = 'xyz';
    expect(byCode().get('xyz')).toEqual([]);
    byCode().reindex(entry);
    expect(byCode().get('xyz')).toEqual([entry]);
    list.length = 0;
    clearIndexes(list);
    expect(byCode().get('xyz')).toEqual([]);
  });

  it('query keys are decoded name=value pairs; leaf strings walk nested values', () => {
    expect(queryKeys('state=local%21abc&code=1')).toEqual(['state=local!abc', 'code=1']);
    expect(queryKeys('')).toEqual([]);
    expect(leafStrings({ a: 'x', b: [{ c: 'y' }, 3, null], d: { e: 'z' } })).toEqual(['x', 'y', 'z']);
  });
});

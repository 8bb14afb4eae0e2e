/** The flow store: grouping by shared keys, merging, and the cap that keeps a long serve bounded. */
import { describe, expect, it } from 'vitest';
import { FlowStore, summarize } from '../../../src/inspector/flows.js';
import type { Hop } from '../../../src/inspector/hop.js';

const hop = (n: number, patch: Partial<Hop> = {}): Hop => ({
  from: 'browser',
  to: 'api',
  box: 'api',
  method: 'GET',
  url: `http://127.0.0.1:1/h${n}`,
  path: `/h${n}`,
  rawQuery: '',
  query: {},
  requestHeaders: {},
  requestBody: '',
  body: {},
  status: 200,
  responseHeaders: {},
  responseBody: '',
  startedAt: n,
  ms: 1,
  truncated: false,
  checks: [],
  ...patch,
});

describe('FlowStore', () => {
  it('keeps the newest 1,000 flows and reports the ones it drops', () => {
    const store = new FlowStore();
    const removed: string[] = [];
    store.onChange((_flow, gone) => removed.push(...gone));
    for (let i = 1; i <= 1005; i++) store.add(hop(i), [`pauth:${i}`]);
    expect(store.size).toBe(1000);
    expect(removed).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
    expect(store.list()[0]?.id).toBe('f1005');
    // A dropped flow's keys are forgotten: its next hop starts a new flow rather than reviving it.
    store.add(hop(2000), ['pauth:1']);
    expect(store.list()[0]?.id).toBe('f1006');
  });

  it('merges two flows a later hop ties together, into the older one', () => {
    const store = new FlowStore();
    store.add(hop(1), ['signup:t']);
    store.add(hop(2), ['pauth:p']);
    store.add(hop(3), ['pauth:p', 'signup:t']);
    expect(store.list().map((f) => [f.id, f.hops.length])).toEqual([['f1', 3]]);
  });

  it('marks a flow failed at its first hop with a failed check', () => {
    const store = new FlowStore();
    store.add(hop(1), ['pauth:p']);
    const bad = { name: 'x', ok: false, expected: 'a', actual: 'b', source: 's' };
    store.add(hop(2, { checks: [bad] }), ['pauth:p']);
    store.add(hop(3, { checks: [bad] }), ['pauth:p']);
    const flow = store.get('f1');
    expect(flow && summarize(flow)).toMatchObject({ result: 'failed', failedHop: 2, hops: 3 });
  });
});

/**
 * The flows the inspector has seen: hops grouped by the keys that tie them (keys.ts), newest first, capped so
 * a long `serve` keeps a bounded amount (MAX_FLOWS flows of at most MAX_HOPS hops each).
 */
import type { Hop } from './hop.js';

export const MAX_FLOWS = 1000;
export const MAX_HOPS = 200;
// A hop a server sent with no key of its own waits this long for the hop it was made inside of.
const MAX_ORPHANS = 50;

export type FlowKind = 'connect' | 'signup' | 'provider-call' | 'other';

export interface Flow {
  id: string;
  hops: Hop[];
  keys: Set<string>;
  /** Hops left out past MAX_HOPS. */
  dropped: number;
}

export interface FlowSummary {
  id: string;
  kind: FlowKind;
  provider: string | null;
  env: string | null;
  /** completed, failed at hop `failedHop` (1-based), or still in progress. */
  result: 'completed' | 'failed' | 'in-progress';
  failedHop: number | null;
  hops: number;
  startedAt: number;
  durationMs: number;
}

/** `removed`: flows that no longer exist (merged into `flow`, or dropped past the cap). */
type Listener = (flow: Flow, removed: readonly string[]) => void;

export class FlowStore {
  private readonly flows = new Map<string, Flow>();
  private readonly byKey = new Map<string, Flow>();
  /** A Location answered → the flow whose browser will follow it (taken once). */
  private readonly pendingUrls = new Map<string, Flow>();
  private orphans: Hop[] = [];
  private nextId = 1;
  private readonly listeners = new Set<Listener>();
  private removed: string[] = [];

  constructor(private readonly maxFlows = MAX_FLOWS) {}

  /** Newest first. */
  list(): Flow[] {
    return [...this.flows.values()].reverse();
  }

  get(id: string): Flow | undefined {
    return this.flows.get(id);
  }

  get size(): number {
    return this.flows.size;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(hop: Hop, keys: readonly string[]): void {
    const found = new Set<Flow>();
    for (const key of keys) {
      const flow = this.byKey.get(key);
      if (flow) found.add(flow);
    }
    let flow: Flow | undefined;
    if (found.size > 0) flow = this.merge([...found]);
    else flow = this.takePending(hop.url);
    if (flow === undefined && keys.length === 0) {
      // A server's own call (the API's exchange, the proxy's forward) finishes before the hop it was made in.
      if (hop.from !== 'browser' && hop.from !== 'agent') this.orphans = [...this.orphans.slice(1 - MAX_ORPHANS), hop];
      return;
    }
    flow ??= this.create();
    this.push(flow, hop);
    for (const key of keys) {
      flow.keys.add(key);
      this.byKey.set(key, flow);
    }
    this.adoptOrphans(flow, hop);
    if (hop.location !== undefined) {
      try {
        this.pendingUrls.set(new URL(hop.location, hop.url).href, flow);
      } catch {
        // an unreadable Location leads nowhere
      }
    }
    const removed = this.removed.splice(0);
    for (const l of this.listeners) l(flow, removed);
  }

  private create(): Flow {
    const flow: Flow = { id: `f${this.nextId++}`, hops: [], keys: new Set(), dropped: 0 };
    this.flows.set(flow.id, flow);
    while (this.flows.size > this.maxFlows) {
      const oldest = this.flows.values().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    return flow;
  }

  private forget(flow: Flow): void {
    this.flows.delete(flow.id);
    this.removed.push(flow.id);
    for (const key of flow.keys) if (this.byKey.get(key) === flow) this.byKey.delete(key);
    for (const [url, f] of this.pendingUrls) if (f === flow) this.pendingUrls.delete(url);
  }

  private takePending(url: string): Flow | undefined {
    const flow = this.pendingUrls.get(url);
    if (flow !== undefined) this.pendingUrls.delete(url);
    return flow !== undefined && this.flows.has(flow.id) ? flow : undefined;
  }

  // Two flows that turn out to share a key are one: the older keeps its id and takes the other's hops.
  private merge(flows: Flow[]): Flow {
    const [keep, ...rest] = flows.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
    if (keep === undefined) throw new Error('merge of no flows');
    for (const other of rest) {
      for (const hop of other.hops) this.push(keep, hop);
      keep.hops.sort((a, b) => a.startedAt - b.startedAt);
      for (const key of other.keys) {
        keep.keys.add(key);
        this.byKey.set(key, keep);
      }
      for (const [url, f] of this.pendingUrls) if (f === other) this.pendingUrls.set(url, keep);
      this.flows.delete(other.id);
      this.removed.push(other.id);
    }
    return keep;
  }

  private push(flow: Flow, hop: Hop): void {
    if (flow.hops.length >= MAX_HOPS) return void flow.dropped++;
    flow.hops.push(hop);
  }

  private adoptOrphans(flow: Flow, outer: Hop): void {
    const inside = (h: Hop): boolean =>
      h.from === outer.to && h.startedAt >= outer.startedAt && h.startedAt <= outer.startedAt + outer.ms;
    const adopted = this.orphans.filter(inside);
    if (adopted.length === 0) return;
    this.orphans = this.orphans.filter((h) => !inside(h));
    for (const hop of adopted) this.push(flow, hop);
    flow.hops.sort((a, b) => a.startedAt - b.startedAt);
  }
}

/** The list row of a flow. */
export function summarize(flow: Flow): FlowSummary {
  const hops = flow.hops;
  const first = hops[0];
  const last = hops.reduce((end, h) => Math.max(end, h.startedAt + h.ms), first?.startedAt ?? 0);
  const failed = hops.findIndex((h) => h.checks.some((c) => !c.ok));
  return {
    id: flow.id,
    kind: kindOf(flow),
    provider: hops.find((h) => h.provider !== undefined)?.provider ?? null,
    env: hops.find((h) => h.env !== undefined)?.env ?? null,
    result: failed >= 0 ? 'failed' : hops.some(isTerminal) ? 'completed' : 'in-progress',
    failedHop: failed >= 0 ? failed + 1 : null,
    hops: hops.length,
    startedAt: first?.startedAt ?? 0,
    durationMs: Math.max(0, last - (first?.startedAt ?? 0)),
  };
}

function kindOf(flow: Flow): FlowKind {
  const keys = [...flow.keys];
  if (keys.some((k) => k.startsWith('signup:'))) return 'signup';
  if (keys.some((k) => k.startsWith('pauth:'))) return 'connect';
  if (keys.some((k) => k.startsWith('app:'))) return 'provider-call';
  return 'other';
}

// Architecture "the two flows": a connect ends on the success page, a sign-up when check-signup hands over the
// login package, a provider call when the proxy has answered the provider.
function isTerminal(hop: Hop): boolean {
  if (hop.box === 'marketing' && hop.status < 400) return true;
  if (hop.box === 'api' && /^\/web\/(provider-connected|signed-in)\b/.test(hop.path) && hop.status < 400) return true;
  if (hop.box === 'api' && hop.path === '/no-auth/check-signup' && hop.status === 200) return true;
  return hop.to === 'proxy' && hop.status < 400;
}

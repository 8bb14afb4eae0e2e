/**
 * A Mermaid sequence diagram of one run, drawn from its events: every HTTP hop as a request and its
 * answer, broadcasts, step titles as notes, the failure where it happened.
 */
import type { Actor, FlowEvent } from '../events.js';

/** Options of the diagram. */
export interface MermaidOptions {
  /** Shortens secrets in every label (the renderers' redact). */
  redact?: (text: string) => string;
}

// The seven parties of architecture §1, in the order they read left to right; others only when used.
const CORE: readonly Actor[] = ['webview', 'agent', 'browser', 'api', 'router', 'provider', 'broadcaster'];
const LABELS: Record<Actor, string> = {
  webview: 'Webview',
  agent: 'Agent',
  browser: 'Browser',
  api: 'CS API',
  router: 'Router',
  proxy: 'VPN proxy',
  marketing: 'Marketing site',
  provider: 'Provider',
  broadcaster: 'Broadcaster',
};

const MAX_VALUE = 24;

/** The diagram's source text, ready for a ```mermaid block or a .mmd file. */
export function renderMermaid(events: readonly FlowEvent[], opts: MermaidOptions = {}): string {
  const redact = opts.redact ?? ((t: string) => t);
  const label = (text: string): string => sanitize(redact(text));
  // A browser flow draws the whole cast (the agent's broadcaster subscription makes no hop); a run without a
  // browser (interact) only the participants it used. The webview and the agent open every diagram.
  const browserFlow = events.some((e) => e.type === 'http' && e.from === 'browser');
  const used = new Set<Actor>(browserFlow ? CORE : ['webview', 'agent']);
  for (const e of events) if (e.type === 'http' || e.type === 'message') used.add(e.from).add(e.to);
  const order = [...CORE, 'proxy', 'marketing'].filter((a): a is Actor => used.has(a as Actor));
  const lines = ['sequenceDiagram', ...order.map((a) => `  participant ${a} as ${LABELS[a]}`)];
  const span = `${order[0]},${order.at(-1)}`;
  const titles = new Map<string, string>();
  const nested = nestServerCalls(events);
  const arrows = (e: HttpEvent): string[] => {
    const location = e.location === undefined ? undefined : redact(e.location);
    return [
      `  ${e.from}->>${e.to}: ${label(`${e.method} ${shortUrl(redact(e.url))}`)}`,
      ...(nested.inside.get(e) ?? []).flatMap(arrows),
      `  ${e.to}-->>${e.from}: ${label(answer(e.status, location, e.url))}`,
    ];
  };
  let index = 0;
  for (const e of events) {
    switch (e.type) {
      case 'flow-started':
        lines.push(`  webview->>agent: ${label(`${e.flow} ${e.provider} (env ${e.env})`)}`);
        break;
      case 'step-started':
        titles.set(e.step, e.title);
        lines.push(`  Note over ${span}: ${label(`${++index}. ${e.title}`)}`);
        break;
      case 'http':
        if (!nested.drawn.has(e)) lines.push(...arrows(e));
        break;
      case 'message':
        lines.push(`  ${e.from}-)${e.to}: ${label(`${e.channel} ${e.summary}`)}`);
        break;
      case 'note':
        lines.push(`  Note over ${span}: ${label(e.text)}`);
        break;
      case 'check-failed':
        lines.push(`  Note over ${span}: ${label(`✗ ${e.check}: expected ${e.expected}, got ${e.actual}`)}`);
        break;
      case 'step-failed': {
        const why = e.error.code === 'CHECK_FAILED' ? '' : `: ${e.error.message}`;
        lines.push(`  Note over ${span}: ${label(`✖ ${titles.get(e.step) ?? e.step} failed [${e.error.code}]${why}`)}`);
        break;
      }
      case 'flow-finished':
        lines.push(
          `  agent-->>webview: ${label(e.ok ? `${e.flow} ok` : `${e.flow} failed at ${e.failedStep ?? '?'}`)}`,
        );
        break;
      default:
        break;
    }
  }
  return `${lines.join('\n')}\n`;
}

type HttpEvent = Extract<FlowEvent, { type: 'http' }>;

/**
 * A call a server makes while it answers a request (the API's code exchange during the callback, its refresh
 * grant during the agent's GET /provider-refresh, a proxying router's request to the API) is reported after
 * that hop; it is drawn inside it, between request and answer, where it happened. The request is the latest
 * hop to that server which was open when the call started; a later-reported one only when none came before.
 */
function nestServerCalls(events: readonly FlowEvent[]): { inside: Map<HttpEvent, HttpEvent[]>; drawn: Set<HttpEvent> } {
  const inside = new Map<HttpEvent, HttpEvent[]>();
  const drawn = new Set<HttpEvent>();
  const hops = events.filter((e): e is HttpEvent => e.type === 'http');
  hops.forEach((call, i) => {
    if (call.from === 'browser' || call.from === 'agent' || call.from === 'webview') return;
    const open = (b: HttpEvent): boolean =>
      b !== call && b.to === call.from && b.startedAt <= call.startedAt && call.startedAt <= b.startedAt + b.ms;
    const parent = hops.slice(0, i).reverse().find(open) ?? hops.slice(i + 1).find(open);
    if (parent === undefined || encloses(call, parent, inside)) return;
    inside.set(parent, [...(inside.get(parent) ?? []), call]);
    drawn.add(call);
  });
  return { inside, drawn };
}

// A hop drawn inside one of its own calls would never be drawn: refuse the cycle (equal timestamps can make one).
function encloses(call: HttpEvent, parent: HttpEvent, inside: ReadonlyMap<HttpEvent, HttpEvent[]>): boolean {
  return (inside.get(call) ?? []).some((child) => child === parent || encloses(child, parent, inside));
}

/** Path and query with long values cut, so a JWT or a code never widens the diagram. */
export function shortUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, 'http://relative.invalid');
  } catch {
    return url.length > 60 ? `${url.slice(0, 59)}…` : url;
  }
  const query = [...parsed.searchParams]
    .map(([k, v]) => `${k}=${v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v}`)
    .join('&');
  return `${parsed.pathname}${query ? `?${query}` : ''}`;
}

function answer(status: number, location: string | undefined, from: string): string {
  if (location === undefined) return String(status);
  let where = location;
  try {
    const to = new URL(location, from);
    where = to.origin === new URL(from).origin ? shortUrl(location) : `${to.host}${shortUrl(to.pathname + to.search)}`;
  } catch {
    // keep the raw Location: the diagram must still draw when it is malformed
  }
  return `${status} → ${where}`;
}

// Mermaid ends a statement at ";" or a newline and reads "#…;" as an entity.
function sanitize(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/;/g, ',')
    .replace(/#/g, '#35;')
    .replace(/%%/g, '% %');
}

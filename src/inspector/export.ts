/**
 * A flow's hops as the typed events the CLI's renderers read, so its HAR and Mermaid files come from the same
 * writers (src/render/har.ts, src/render/mermaid.ts).
 */
import type { FlowEvent } from '../events.js';
import { createHar, type Har } from '../render/har.js';
import { renderMermaid } from '../render/mermaid.js';
import type { SecretRegistry } from '../util/secrets.js';
import { summarize, type Flow } from './flows.js';

export function eventsOf(flow: Flow): FlowEvent[] {
  const s = summarize(flow);
  const flowName = s.kind;
  const events: FlowEvent[] = [
    { type: 'flow-started', flow: flowName, provider: s.provider ?? '?', env: s.env ?? '?', at: s.startedAt },
  ];
  flow.hops.forEach((hop, i) => {
    events.push({
      type: 'http',
      from: hop.from,
      to: hop.to,
      method: hop.method,
      url: hop.url,
      status: hop.status,
      ...(hop.location === undefined ? {} : { location: hop.location }),
      ms: hop.ms,
      startedAt: hop.startedAt,
      requestHeaders: hop.requestHeaders,
      responseHeaders: hop.responseHeaders,
      bodySize: Buffer.byteLength(hop.responseBody),
    });
    for (const c of hop.checks)
      if (!c.ok)
        events.push({
          type: 'check-failed',
          step: `hop ${i + 1}`,
          check: c.name,
          expected: c.expected,
          actual: c.actual,
        });
  });
  if (s.result !== 'in-progress') {
    events.push({
      type: 'flow-finished',
      flow: flowName,
      ok: s.result === 'completed',
      ms: s.durationMs,
      ...(s.failedHop === null ? {} : { failedStep: `hop ${s.failedHop}` }),
    });
  }
  return events;
}

/** The flow's HAR 1.2 (its browser hops, as the CLI writes them). */
export function flowHar(flow: Flow, secrets: SecretRegistry, creatorVersion: string): Har {
  return createHar(eventsOf(flow), { creatorVersion, redactDeep: secrets.redactDeep });
}

/** The flow's Mermaid sequence diagram. */
export function flowMermaid(flow: Flow, secrets: SecretRegistry): string {
  return renderMermaid(eventsOf(flow), { redact: secrets.redact });
}

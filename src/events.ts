/** Typed events that flows emit and renderers draw. Kebab-case, past tense. */
import type { ErrorInfo } from './errors.js';

export type Actor =
  'webview' | 'agent' | 'browser' | 'api' | 'router' | 'proxy' | 'marketing' | 'provider' | 'broadcaster';

export interface HttpExchange {
  from: Actor;
  to: Actor;
  method: string;
  url: string;
  status: number;
  location?: string;
  ms: number;
  startedAt: number;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
  /** Response body size in bytes, for HAR. */
  bodySize?: number;
}

export type FlowEvent =
  | { type: 'flow-started'; flow: string; provider: string; env: string; at: number }
  | { type: 'step-started'; step: string; title: string }
  | ({ type: 'http' } & HttpExchange)
  | { type: 'message'; from: Actor; to: Actor; channel: string; summary: string }
  | { type: 'check-passed'; step: string; check: string; detail?: string }
  | { type: 'check-failed'; step: string; check: string; expected: string; actual: string }
  | { type: 'note'; step: string; text: string }
  /** `skipped`: the step ran but had nothing to do in this run (a hop the provider does not take). */
  | { type: 'step-succeeded'; step: string; ms: number; detail?: string; skipped?: boolean }
  | { type: 'step-failed'; step: string; ms: number; error: ErrorInfo }
  | {
      type: 'flow-finished';
      flow: string;
      ok: boolean;
      ms: number;
      failedStep?: string;
      result?: Record<string, unknown>;
    };

export type EventSink = (event: FlowEvent) => void;

/** Collects events in memory; the test helper and report writers use it. */
export function recordEvents(): { onEvent: EventSink; events: FlowEvent[] } {
  const events: FlowEvent[] = [];
  return { onEvent: (e) => events.push(e), events };
}

/** Fans one event out to several sinks. */
export function teeEvents(...sinks: EventSink[]): EventSink {
  return (e) => {
    for (const sink of sinks) sink(e);
  };
}

/** One line per event on stderr, no ANSI: for CI logs and pipes. Also the wording the tty renderer reuses. */
import type { Io } from '../deps.js';
import type { ErrorInfo } from '../errors.js';
import type { FlowEvent } from '../events.js';
import type { Renderer, RendererOptions } from './index.js';

/** Colour hooks, so tty and plain share one wording; plain uses identity for all of them. */
export interface Style {
  ok(text: string): string;
  fail(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const same = (text: string): string => text;
export const noStyle: Style = { ok: same, fail: same, dim: same, bold: same };

type EventOf<K extends FlowEvent['type']> = Extract<FlowEvent, { type: K }>;
export type StepEndEvent = EventOf<'step-succeeded' | 'step-failed'>;

/** What later events refer back to: step titles, the flow's provider, steps whose failed check is already shown. */
export interface FlowMemory {
  observe(event: FlowEvent): void;
  title(step: string): string;
  /** "connect github": flow-finished carries no provider, so it comes from flow-started. */
  label(flow: string): string;
  checkFailed(step: string): boolean;
}

/** A fresh memory per renderer; renderers feed it every event. */
export function createFlowMemory(): FlowMemory {
  const titles = new Map<string, string>();
  const failedChecks = new Set<string>();
  let provider = '';
  return {
    observe(event) {
      if (event.type === 'flow-started') provider = event.provider;
      if (event.type === 'step-started') titles.set(event.step, event.title);
      if (event.type === 'check-failed') failedChecks.add(event.step);
    },
    title: (step) => titles.get(step) ?? step,
    label: (flow) => (provider === '' ? flow : `${flow} ${provider}`),
    checkFailed: (step) => failedChecks.has(step),
  };
}

const ms = (value: number): string => `${Math.round(value)} ms`;

/** The text after the ✔/✖ symbol: `Exchange the code (12 ms) — detail`. */
export function formatStepText(title: string, event: StepEndEvent, style: Style): string {
  const detail = event.type === 'step-succeeded' && event.detail !== undefined ? ` — ${event.detail}` : '';
  return `${title} ${style.dim(`(${ms(event.ms)})`)}${detail}`;
}

/** Lines under a failed step; the message is skipped when the failed check already said it. */
export function formatErrorLines(
  error: ErrorInfo,
  style: Style,
  opts: { verbose: boolean; checkShown: boolean },
): string[] {
  const lines: string[] = [];
  if (!(opts.checkShown && error.code === 'CHECK_FAILED')) {
    lines.push(`  ${style.fail('error:')} ${error.message} ${style.dim(`[${error.code}]`)}`);
  }
  if (error.hint !== undefined) lines.push(`  hint: ${error.hint}`);
  if (opts.verbose && error.detail !== undefined)
    lines.push(`  ${style.dim(`detail: ${JSON.stringify(error.detail)}`)}`);
  return lines;
}

/** Indented lines drawn inside a step: hops, broadcasts, checks, notes. Undefined for other events. */
export function formatDetail(event: FlowEvent, style: Style, verbose: boolean): string | undefined {
  switch (event.type) {
    case 'http': {
      const location = event.location === undefined ? '' : ` → ${event.location}`;
      const took = verbose ? ` ${style.dim(`(${ms(event.ms)})`)}` : '';
      const request = `${event.method} ${event.url} ${event.status}`;
      return `  → ${style.dim(`${event.from}→${event.to}`)} ${request}${location}${took}`;
    }
    case 'message':
      return `  ⇢ ${style.dim(`${event.from}→${event.to}`)} on ${event.channel}: ${event.summary}`;
    case 'check-passed':
      return `  ${style.ok('✓')} ${event.check}${event.detail === undefined ? '' : ` — ${event.detail}`}`;
    case 'check-failed':
      return `  ${style.fail('✗')} ${event.check}: expected ${event.expected}, got ${event.actual}`;
    case 'note':
      return `  ${style.dim(`· ${event.text}`)}`;
    default:
      return undefined;
  }
}

/** The flow's header and final summary lines. */
export function formatFlowLine(
  event: EventOf<'flow-started' | 'flow-finished'>,
  memory: FlowMemory,
  style: Style,
): string {
  const label = memory.label(event.flow);
  if (event.type === 'flow-started') return style.bold(`${label} (env ${event.env})`);
  if (event.ok) return `${style.bold(label)}: ${style.ok('ok')} in ${ms(event.ms)}`;
  const where = event.failedStep === undefined ? '' : ` at step ${event.failedStep}`;
  return `${style.bold(label)}: ${style.fail('FAILED')}${where} after ${ms(event.ms)}`;
}

/** Every line one event produces in plain output; call memory.observe(event) first. */
export function describeEvent(event: FlowEvent, memory: FlowMemory, style: Style, verbose: boolean): string[] {
  switch (event.type) {
    case 'flow-started':
    case 'flow-finished':
      return [formatFlowLine(event, memory, style)];
    case 'step-started':
      return []; // the finish line carries the title; a start line would double every step in logs
    case 'step-succeeded':
      return [`${style.ok('✔')} ${formatStepText(memory.title(event.step), event, style)}`];
    case 'step-failed':
      return [
        `${style.fail('✖')} ${formatStepText(memory.title(event.step), event, style)}`,
        ...formatErrorLines(event.error, style, { verbose, checkShown: memory.checkFailed(event.step) }),
      ];
    default: {
      const line = formatDetail(event, style, verbose);
      return line === undefined ? [] : [line];
    }
  }
}

/** Plain renderer: status lines on stderr, every line redacted. */
export function plainRenderer(io: Io, opts: RendererOptions): Renderer {
  const memory = createFlowMemory();
  const verbose = opts.verbose === true;
  return {
    onEvent(event) {
      memory.observe(event);
      for (const line of describeEvent(event, memory, noStyle, verbose)) io.stderr.write(`${opts.redact(line)}\n`);
    },
    close: () => undefined,
  };
}

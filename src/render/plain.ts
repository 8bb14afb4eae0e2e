/** One line per event on stderr, no ANSI: for CI logs and pipes. Also the wording the tty renderer reuses. */
import { Chalk } from 'chalk';
import type { Io } from '../deps.js';
import type { ErrorInfo } from '../errors.js';
import type { FlowEvent } from '../events.js';
import type { OutputLevel, Renderer, RendererOptions } from './index.js';

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
  /** The step was stopped (q at a --step prompt, Ctrl-C), not failed. */
  stopped(step: string): boolean;
}

/** A fresh memory per renderer; renderers feed it every event. */
export function createFlowMemory(): FlowMemory {
  const titles = new Map<string, string>();
  const failedChecks = new Set<string>();
  const stoppedSteps = new Set<string>();
  let provider = '';
  return {
    observe(event) {
      if (event.type === 'flow-started') provider = event.provider;
      if (event.type === 'step-started') titles.set(event.step, event.title);
      if (event.type === 'check-failed') failedChecks.add(event.step);
      if (event.type === 'step-failed' && event.error.code === 'FLOW_ABORTED') stoppedSteps.add(event.step);
    },
    stopped: (step) => stoppedSteps.has(step),
    title: (step) => titles.get(step) ?? step,
    label: (flow) => (provider === '' ? flow : `${flow} ${provider}`),
    checkFailed: (step) => failedChecks.has(step),
  };
}

const ms = (value: number): string => `${Math.round(value)} ms`;

/** The text after the ✔/✖ symbol: `Exchange the code (12 ms) — detail`, or `Title — skipped: why`. */
export function formatStepText(title: string, event: StepEndEvent, style: Style): string {
  if (event.type === 'step-succeeded' && event.skipped === true)
    return `${title} ${style.dim(`— skipped: ${event.detail ?? 'not taken'}`)}`;
  const detail = event.type === 'step-succeeded' && event.detail !== undefined ? ` — ${event.detail}` : '';
  return `${title} ${style.dim(`(${ms(event.ms)})`)}${detail}`;
}

/** The symbol before a finished step: ✔ passed, ✖ failed, – skipped. */
export function stepSymbol(event: StepEndEvent, style: Style): string {
  if (event.type === 'step-failed') return style.fail('✖');
  return event.skipped === true ? style.dim('–') : style.ok('✔');
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
  // The system error behind "fetch failed" (ENOTFOUND host, ECONNREFUSED port) is what the user can act on.
  for (const cause of error.causes ?? []) lines.push(`  ${style.dim('caused by:')} ${cause}`);
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
  if (event.failedStep !== undefined && memory.stopped(event.failedStep))
    return `${style.bold(label)}: stopped${where.replace(' at ', ' before ')} after ${ms(event.ms)}`;
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
      return [`${stepSymbol(event, style)} ${formatStepText(memory.title(event.step), event, style)}`];
    case 'step-failed':
      return [
        `${memory.stopped(event.step) ? '■' : stepSymbol(event, style)} ${formatStepText(memory.title(event.step), event, style)}`,
        ...formatErrorLines(event.error, style, { verbose, checkShown: memory.checkFailed(event.step) }),
      ];
    default: {
      const line = formatDetail(event, style, verbose);
      return line === undefined ? [] : [line];
    }
  }
}

/**
 * What a level lets through. Below verbose, a step's hops, checks and notes are held until the step ends: dropped
 * when it passes, printed in full before its ✖ line when it fails.
 */
export interface LevelFilter {
  /** Hops, checks and notes are printed as they come (verbose, debug). */
  readonly everything: boolean;
  /** Only failures and the final line (quiet). */
  readonly quiet: boolean;
  /** Error details and per-hop timings (debug). */
  readonly debug: boolean;
  /** Keeps a step's detail lines until it ends. */
  hold(lines: string[]): void;
  /** The held lines, emptied. */
  release(): string[];
  /** The lines of an event to print now (describeEvent's lines, filtered and with held lines released). */
  lines(event: FlowEvent, memory: FlowMemory, style: Style): string[];
}

export function createLevelFilter(level: OutputLevel = 'normal'): LevelFilter {
  const everything = level === 'verbose' || level === 'debug';
  let held: string[] = [];
  let inStep = false;
  const release = (): string[] => {
    const lines = held;
    held = [];
    return lines;
  };
  return {
    everything,
    quiet: level === 'quiet',
    debug: level === 'debug',
    hold: (lines) => void held.push(...lines),
    release,
    lines(event, memory, style) {
      const lines = describeEvent(event, memory, style, level === 'debug');
      if (everything) return lines;
      switch (event.type) {
        case 'flow-started':
          return level === 'quiet' ? [] : lines;
        case 'flow-finished':
          return lines;
        case 'step-started':
          inStep = true;
          release();
          return [];
        case 'step-succeeded':
          inStep = false;
          release();
          return level === 'quiet' ? [] : lines;
        case 'step-failed':
          inStep = false;
          return [...release(), ...lines];
        default:
          // A note between steps speaks for the whole run (what a scenario injects and expects).
          if (!inStep && event.type === 'note') return level === 'quiet' ? [] : lines;
          held.push(...lines);
          return [];
      }
    },
  };
}

/** The colours of a terminal; a private Chalk instance, so colour follows io.color and not global detection. */
export function colourStyle(io: Io): Style {
  if (!io.color) return noStyle;
  const chalk = new Chalk({ level: 1 });
  return { ok: chalk.green, fail: chalk.red, dim: chalk.dim, bold: chalk.bold };
}

/** Plain renderer: status lines on stderr, every line redacted; coloured only when asked (FORCE_COLOR in CI). */
export function plainRenderer(io: Io, opts: RendererOptions): Renderer {
  const memory = createFlowMemory();
  const filter = createLevelFilter(opts.level);
  const style = colourStyle(io);
  return {
    onEvent(event) {
      memory.observe(event);
      for (const line of filter.lines(event, memory, style)) io.stderr.write(`${opts.redact(line)}\n`);
    },
    close: () => undefined,
  };
}

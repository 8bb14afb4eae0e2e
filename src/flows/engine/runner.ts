/** Runs a flow as a list of steps; every step does one hop and checks it. Never prints. */
import { AppError, FlowError, toErrorInfo } from '../../errors.js';
import type { EventSink } from '../../events.js';
import { defined } from '../../util/defined.js';

export interface StepContext {
  readonly step: string;
  readonly signal: AbortSignal;
  emit: EventSink;
  /** Records a passed or failed check; a failed one throws and fails the step. */
  check(name: string, ok: boolean, expected: unknown, actual: unknown, detail?: string): void;
  /** Same as check, comparing with strict equality (Object.is); the same order: expected, then actual. */
  expectEqual(name: string, expected: unknown, actual: unknown, detail?: string): void;
  note(text: string): void;
  /** Marks the step as not taken by this run (the step returns what this gives back as its detail). */
  skip(reason: string): string;
}

/**
 * A value an earlier step of the flow learned (a hop, a token), or a FlowError naming the step that should have
 * left it: a later step never casts `ctx.x as T` and reads undefined.
 */
export function need<T>(value: T | undefined, what: string, step: Pick<StepContext, 'step'>): T {
  if (value === undefined) {
    throw new FlowError('CHECK_FAILED', `no ${what} yet: an earlier step of this flow did not record it`, step.step);
  }
  return value;
}

export interface Step<C> {
  id: string;
  title: string;
  /** Returns a one-line detail for the step-succeeded event. */
  run(ctx: C, step: StepContext): Promise<string | void>;
}

export interface RunFlowOptions<C = unknown> {
  flow: string;
  provider: string;
  env: string;
  onEvent: EventSink;
  signal?: AbortSignal;
  now?: () => number;
  /** Extra fields for the flow-finished event, computed once the flow ends. */
  result?: () => Record<string, unknown>;
  /**
   * Awaited before each step starts (before its step-started event, so no spinner runs meanwhile);
   * `--step` uses it to pause. A throw fails that step, e.g. FLOW_ABORTED when the user quits.
   */
  beforeStep?: (step: Step<C>, ctx: C, signal: AbortSignal) => Promise<void>;
}

export interface FlowOutcome {
  ok: boolean;
  failedStep?: string;
  error?: AppError;
  ms: number;
}

/** Runs the steps in order and stops at the first failure; emits flow-finished in every case. */
export async function runFlow<C>(steps: readonly Step<C>[], ctx: C, opts: RunFlowOptions<C>): Promise<FlowOutcome> {
  const now = opts.now ?? Date.now;
  // Durations are real time: a scenario's clock jumps minutes (a slow user), which no step took.
  const elapsed = (): number => performance.now();
  const signal = opts.signal ?? new AbortController().signal;
  const began = now();
  const wallBegan = elapsed();
  opts.onEvent({ type: 'flow-started', flow: opts.flow, provider: opts.provider, env: opts.env, at: began });
  let outcome: FlowOutcome = { ok: true, ms: 0 };
  for (const step of steps) {
    let started = elapsed();
    let announced = false;
    try {
      if (opts.beforeStep !== undefined && !signal.aborted) await opts.beforeStep(step, ctx, signal);
      started = elapsed();
      opts.onEvent({ type: 'step-started', step: step.id, title: step.title });
      announced = true;
      if (signal.aborted) throw new FlowError('FLOW_ABORTED', 'the flow was interrupted', step.id);
      const stepContext = createStepContext(step.id, signal, opts.onEvent);
      const detail = await step.run(ctx, stepContext);
      opts.onEvent({
        type: 'step-succeeded',
        step: step.id,
        ms: Math.round(elapsed() - started),
        ...(detail ? { detail } : {}),
        ...(stepContext.skipped ? { skipped: true } : {}),
      });
    } catch (err) {
      const error = asFlowError(err, step.id, signal);
      // Renderers learn a step's title from step-started, so a step stopped by beforeStep still gets one.
      if (!announced) opts.onEvent({ type: 'step-started', step: step.id, title: step.title });
      opts.onEvent({
        type: 'step-failed',
        step: step.id,
        ms: Math.round(elapsed() - started),
        error: toErrorInfo(error),
      });
      outcome = { ok: false, failedStep: step.id, error, ms: 0 };
      break;
    }
  }
  outcome.ms = Math.round(elapsed() - wallBegan);
  const result = opts.result?.();
  opts.onEvent({
    type: 'flow-finished',
    flow: opts.flow,
    ok: outcome.ok,
    ms: outcome.ms,
    ...defined({ failedStep: outcome.failedStep, result }),
  });
  return outcome;
}

function asFlowError(err: unknown, step: string, signal: AbortSignal): AppError {
  if (err instanceof AppError) return err;
  if (signal.aborted) return new FlowError('FLOW_ABORTED', 'the flow was interrupted', step, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new FlowError('UNEXPECTED', `step "${step}" threw: ${message}`, step, { cause: err });
}

function createStepContext(
  step: string,
  signal: AbortSignal,
  emit: EventSink,
): StepContext & { readonly skipped: boolean } {
  let skipped = false;
  const check: StepContext['check'] = (name, ok, expected, actual, detail) => {
    if (ok) {
      emit({ type: 'check-passed', step, check: name, ...defined({ detail }) });
      return;
    }
    const e = show(expected);
    const a = show(actual);
    emit({ type: 'check-failed', step, check: name, expected: e, actual: a });
    throw new FlowError('CHECK_FAILED', `${name}: expected ${e}, got ${a}`, step, {
      detail: { check: name, expected: e, actual: a },
    });
  };
  return {
    step,
    signal,
    emit,
    check,
    expectEqual: (name, expected, actual, detail) =>
      check(name, Object.is(actual, expected), expected, actual, detail ?? brief(actual)),
    note: (text) => emit({ type: 'note', step, text }),
    skip: (reason) => {
      skipped = true;
      return reason;
    },
    get skipped() {
      return skipped;
    },
  };
}

/** Renders a value for a check message: strings quoted, objects as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  // String() is the last resort, for what JSON cannot print (functions, symbols, BigInts, cycles).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the fallback is meant (see above)
  return json ?? String(value);
}

// The value a passed equality check saw, short enough for one line (renderers redact secrets in it).
// note: a cut JWT would no longer look like one to the redactor, so JWTs stay whole here.
function brief(value: unknown): string {
  const text = show(value);
  if (text.length <= 80 || /eyJ[\w-]+\.[\w-]+\./.test(text)) return text;
  return `${text.slice(0, 77)}…`;
}

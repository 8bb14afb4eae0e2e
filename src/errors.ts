import { defined } from './util/defined.js';

/** Stable machine codes of the tool's own errors (not CodeStream's wire codes). */
export type AppErrorCode =
  | 'USAGE'
  | 'PROVIDER_UNKNOWN'
  | 'PROFILE_INVALID'
  | 'LAB_CONFIG_INVALID'
  | 'STATE_MALFORMED'
  | 'CHECK_FAILED'
  | 'HTTP_FAILED'
  | 'BROWSER_LEFT_LAB'
  | 'BROWSER_OPEN_FAILED'
  | 'BROADCAST_TIMEOUT'
  | 'BROADCAST_LOST'
  | 'CALLBACK_TIMEOUT'
  | 'POLL_TIMEOUT'
  | 'LOGIN_FAILED'
  | 'FLOW_ABORTED'
  | 'PORT_IN_USE'
  | 'UNEXPECTED';

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Structured context for reports: expected vs actual, the offending value. */
  detail?: Record<string, unknown>;
}

/** Base error: a code, a one-clause message naming the value, an optional hint and cause. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly hint: string | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: AppErrorCode, message: string, opts: AppErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.detail = opts.detail;
  }
}

/** Bad flags or arguments: exit 2 with the command's usage. */
export class UsageError extends AppError {
  constructor(message: string, opts: AppErrorOptions = {}) {
    super('USAGE', message, opts);
  }
}

/** A failure inside a flow, tied to the step that saw it. */
export class FlowError extends AppError {
  readonly step: string;
  constructor(code: AppErrorCode, message: string, step: string, opts: AppErrorOptions = {}) {
    super(code, message, opts);
    this.step = step;
  }
}

/** Plain-data view of an error for events and reports. */
export interface ErrorInfo {
  code: string;
  message: string;
  hint?: string;
  detail?: Record<string, unknown>;
  /** What caused it, outermost first, one line each ("Error: connect ECONNREFUSED 127.0.0.1:9"). */
  causes?: string[];
}

export function toErrorInfo(err: unknown): ErrorInfo {
  const chain = causeChain(err);
  const causes = chain.length > 0 ? chain : undefined;
  if (err instanceof AppError) {
    return {
      code: err.code,
      message: err.message,
      ...defined({ hint: err.hint, detail: err.detail, causes }),
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'UNEXPECTED', message, ...defined({ causes }) };
}

/**
 * The causes of an error as one line each, outermost first: fetch's "fetch failed" hides the system error
 * (ENOTFOUND host, ECONNREFUSED address:port) in its cause. Bounded, because a chain can be circular.
 */
export function causeChain(err: unknown): string[] {
  const lines: string[] = [];
  const outer = err instanceof Error ? err.message : '';
  let cause: unknown = err instanceof Error ? err.cause : undefined;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 10; depth++) {
    // "step x threw: fetch failed" already says the first one.
    const said = cause instanceof Error && depth === 0 && outer.endsWith(`: ${cause.message}`);
    if (!said) lines.push(describeCause(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines;
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return typeof cause === 'string' ? cause : (JSON.stringify(cause) ?? String(cause));
  const code: unknown = Reflect.get(cause, 'code');
  const tag = typeof code === 'string' && !cause.message.includes(code) ? ` [${code}]` : '';
  // AggregateError (a connect to every address of a host failed) keeps the real reasons in `errors`.
  const inner = cause instanceof AggregateError ? cause.errors.map((e) => describeCause(e)).join('; ') : '';
  return `${cause.name}: ${cause.message}${tag}${inner === '' ? '' : ` (${inner})`}`;
}

/** What an unknown name named: runs name a provider, an environment, a user or a scenario. */
export type NameKind = 'provider' | 'environment' | 'user' | 'scenario';

/** A name the lab does not know (a provider it does not run…): names the known ones so a caller can fix its call. */
export class UnknownNameError extends AppError {
  readonly kind: NameKind;
  readonly value: string;
  readonly known: readonly string[];
  constructor(kind: NameKind, value: string, known: readonly string[]) {
    super(
      kind === 'provider' ? 'PROVIDER_UNKNOWN' : 'USAGE',
      `unknown ${kind} "${value}"; known: ${known.join(', ') || '(none)'}`,
      {
        hint: `Known ${kind}s: ${known.join(', ')}.`,
      },
    );
    this.kind = kind;
    this.value = value;
    this.known = known;
  }
}

/**
 * The check-signup poller as the real client runs it (contract §6.2 items 2 and 5): one call at a time,
 * every interval (5 s), giving up after 300 s; only AUTH-1006 keeps it polling; network errors, timeouts
 * and non-4xx answers are retried 3 times with 250 ms × attempt backoff and a 30 s per-request timeout,
 * after which the tick fails and the next tick comes an interval later (failure mode 28).
 * The 300 s is a hard stop, as the webview's useTimeout is: a call or a backoff still running then is
 * abandoned and the result is "timed out". Time comes from an injected clock, so tests run on a fake one.
 */
import { AppError } from '../errors.js';
import { defined } from '../util/defined.js';
import type { ApiAnswer } from './api-client.js';
import { loginResultOf, successResultOf, type LoginResult, type MappedAnswer } from './login-result.js';

/**
 * The poller's notion of time: now, an abortable wait, and a per-request timeout signal. Function-typed
 * properties, not methods: callers hand `clock.now` on as a plain function.
 */
export interface PollClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  timeout: (ms: number) => { signal: AbortSignal; cancel: () => void };
}

/** The real clock: setTimeout-based waits and timeouts, `now` injectable. */
export function realClock(now: () => number = Date.now): PollClock {
  return {
    now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(aborted());
        const onAbort = () => {
          clearTimeout(timer);
          reject(aborted());
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    timeout: (ms) => {
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')),
        ms,
      );
      return { signal: controller.signal, cancel: () => clearTimeout(timer) };
    },
  };
}

/** One check-signup call; the poller owns the signal (timeout and interruption). */
export type CheckSignupCall = (signal: AbortSignal) => Promise<ApiAnswer>;

export interface PollerOptions {
  clock: PollClock;
  /** Between ticks; the webview's 5000 ms. */
  intervalMs?: number;
  /** Give up after this long; the webview's 300 s. */
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Told about every HTTP attempt as it ends (for flow notes and tests). */
  onAttempt?: (attempt: PollAttempt) => void;
}

/** What one attempt saw. `pending` is AUTH-1006; `retry` and `tick-failed` are transport failures. */
export interface PollAttempt {
  tick: number;
  attempt: number;
  /** When the call started. */
  at: number;
  outcome: 'pending' | 'answered' | 'retry' | 'tick-failed';
  /** For a retry: how long the poller waited on its clock before it (backoff × attempt). */
  backoffMs?: number;
  status?: number;
  code?: string;
  error?: string;
}

export interface PollStats {
  /** HTTP calls made, retries included. */
  calls: number;
  ticks: number;
  /** Answers that were AUTH-1006. */
  pending: number;
  retries: number;
  failedTicks: number;
  ms: number;
}

export type PollOutcome =
  | {
      kind: 'login';
      result: Extract<LoginResult, 'SUCCESS' | 'USER_NOT_IN_COMPANY'>;
      body: Record<string, unknown>;
      stats: PollStats;
    }
  | {
      kind: 'failed';
      result: LoginResult;
      status: number;
      code: string;
      nested?: string;
      nestedUnmapped?: true;
      extra?: MappedAnswer['extra'];
      body: Record<string, unknown>;
      stats: PollStats;
    }
  | { kind: 'timed-out'; stats: PollStats };

/** Polls until a login package, an answer that is not AUTH-1006, or the give-up timeout. */
export async function pollCheckSignup(call: CheckSignupCall, opts: PollerOptions): Promise<PollOutcome> {
  const { clock, signal } = opts;
  const intervalMs = opts.intervalMs ?? 5000;
  const started = clock.now();
  const deadline = started + (opts.timeoutMs ?? 300_000);
  const stats: PollStats = { calls: 0, ticks: 0, pending: 0, retries: 0, failedTicks: 0, ms: 0 };
  const done = <T extends PollOutcome>(outcome: T): T => {
    stats.ms = clock.now() - started;
    return outcome;
  };
  for (;;) {
    if (clock.now() >= deadline) return done({ kind: 'timed-out', stats });
    stats.ticks += 1;
    const answer = await tickWithRetries(call, stats, opts, deadline);
    if (answer === DEADLINE) return done({ kind: 'timed-out', stats });
    if (answer !== undefined) {
      if (answer.status >= 200 && answer.status < 300)
        return done({ kind: 'login', result: successResultOf(answer.body), body: answer.body, stats });
      const mapped = loginResultOf(answer.body);
      // Contract §6.2: TOKEN_NOT_FOUND is the only result that keeps the loop going.
      if (mapped.result !== 'TOKEN_NOT_FOUND')
        return done({ kind: 'failed', ...mapped, status: answer.status, body: answer.body, stats });
      stats.pending += 1;
    }
    const wait = Math.min(intervalMs, deadline - clock.now());
    if (wait > 0) await clock.sleep(wait, signal).catch(rethrowAbort);
  }
}

const DEADLINE = Symbol('the give-up time passed');

// One tick: a call, then up to `retries` more for transport failures and non-4xx answers (fetchCore).
async function tickWithRetries(
  call: CheckSignupCall,
  stats: PollStats,
  opts: PollerOptions,
  deadline: number,
): Promise<ApiAnswer | undefined | typeof DEADLINE> {
  const { clock, signal } = opts;
  const retries = opts.retries ?? 3;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const backoffMs = attempt > 0 ? (opts.backoffMs ?? 250) * attempt : undefined;
    if (backoffMs !== undefined) {
      stats.retries += 1;
      await clock.sleep(Math.min(backoffMs, Math.max(0, deadline - clock.now())), signal).catch(rethrowAbort);
    }
    if (signal?.aborted) throw aborted();
    const left = deadline - clock.now();
    if (left <= 0) return DEADLINE;
    // The call may not outlive the give-up time: its timeout is the shorter of the two.
    const cutByDeadline = left < requestTimeoutMs;
    const timeout = clock.timeout(cutByDeadline ? left : requestTimeoutMs);
    const at = clock.now();
    const report = (outcome: PollAttempt['outcome'], extra: Partial<PollAttempt>) =>
      opts.onAttempt?.({
        tick: stats.ticks,
        attempt,
        at,
        outcome,
        ...defined({ backoffMs }),
        ...extra,
      });
    const last = attempt === retries;
    stats.calls += 1;
    let answer: ApiAnswer;
    try {
      answer = await call(signal ? AbortSignal.any([timeout.signal, signal]) : timeout.signal);
    } catch (err) {
      if (signal?.aborted) throw aborted();
      if (cutByDeadline && timeout.signal.aborted) {
        report('tick-failed', { error: `abandoned: the give-up time passed after ${left} ms of this call` });
        return DEADLINE;
      }
      report(last ? 'tick-failed' : 'retry', { error: reasonOf(err, timeout.signal) });
      continue;
    } finally {
      timeout.cancel();
    }
    const code = typeof answer.body.code === 'string' ? answer.body.code : undefined;
    const isClientError = answer.status >= 400 && answer.status < 500;
    if (isClientError || (answer.status >= 200 && answer.status < 300)) {
      report(code === 'AUTH-1006' ? 'pending' : 'answered', {
        status: answer.status,
        ...defined({ code }),
      });
      return answer;
    }
    report(last ? 'tick-failed' : 'retry', { status: answer.status, ...defined({ code }) });
  }
  stats.failedTicks += 1;
  return undefined;
}

function reasonOf(err: unknown, timeout: AbortSignal): string {
  const reason: unknown = timeout.reason;
  if (timeout.aborted) return reason instanceof Error ? reason.message : 'request timed out';
  return err instanceof Error ? err.message : String(err);
}

function aborted(): AppError {
  return new AppError('FLOW_ABORTED', 'interrupted while polling check-signup');
}

function rethrowAbort(err: unknown): never {
  throw err instanceof AppError ? err : aborted();
}

/**
 * `--step`: before each step, show the request it is about to make and wait for a line on stdin.
 * Enter continues, "q" stops the flow (exit 130, servers closed). Reading is by line, so answers can be
 * piped (`printf '\n\nq\n' | …`). When stdin ends, the remaining steps run without pausing, so a run
 * with stdin at EOF (`< /dev/null`, CI) never hangs.
 */
import type { Readable, Writable } from 'node:stream';
import { FlowError, UsageError } from '../../errors.js';
import type { Step } from '../../flows/engine/runner.js';

export interface StepPromptOptions<C> {
  stdin: Readable;
  stderr: Writable;
  redact: (text: string) => string;
  preview: (stepId: string, ctx: C) => string | undefined;
}

/** The prompt's hooks: function-typed properties, as commands hand them on unbound (`beforeStep: p.beforeStep`). */
export interface StepPrompt<C> {
  beforeStep: (step: Step<C>, ctx: C, signal: AbortSignal) => Promise<void>;
  /** True once the user answered "q". */
  readonly quit: boolean;
  /** Stops reading stdin so the process can exit; idempotent. */
  close: () => void;
}

/** The stdin `--step` reads its answers from; a usage error when there is none at all. */
export function stepInput(stdin: Readable | undefined, example = 'connect github'): Readable {
  if (stdin === undefined) {
    throw new UsageError('--step needs a standard input to read Enter or q from', {
      hint: `Run it in a terminal, or pipe the answers, e.g. printf '\\n\\nq\\n' | codestream-auth ${example} --step.`,
    });
  }
  return stdin;
}

/** Builds the hook the command hands to the flow as `beforeStep`. */
export function createStepPrompt<C>(opts: StepPromptOptions<C>): StepPrompt<C> {
  const lines = createLineReader(opts.stdin);
  const write = (text: string): void => void opts.stderr.write(opts.redact(text));
  let quit = false;
  let ended = false;
  return {
    get quit() {
      return quit;
    },
    close: lines.close,
    async beforeStep(step, ctx, signal) {
      if (ended) return;
      const request = opts.preview(step.id, ctx);
      write(`▸ next: ${step.title}\n${request === undefined ? '' : `  ${request}\n`}  Enter to run it, q to quit: `);
      const answer = await lines.next(signal);
      // A terminal echoes the Enter; piped answers do not, so end the prompt line here.
      if (answer !== null && !isTerminal(opts.stdin)) write('\n');
      if (answer === null) {
        ended = true;
        write('\n  stdin ended: running the remaining steps without pausing\n');
        return;
      }
      if (answer.trim().toLowerCase() === 'q') {
        quit = true;
        throw new FlowError('FLOW_ABORTED', `stopped before step "${step.id}" at your request`, step.id);
      }
    },
  };
}

interface LineReader {
  /** The next line without its newline, or null at end of input. */
  next: (signal: AbortSignal) => Promise<string | null>;
  close: () => void;
}

// A terminal's stdin is a tty.ReadStream, whose isTTY a plain Readable lacks.
function isTerminal(stream: Readable): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}

// Reads lazily (stdin is untouched until the first prompt) and keeps lines typed ahead of the prompt.
function createLineReader(stream: Readable): LineReader {
  const queue: string[] = [];
  let partial = '';
  let ended = false;
  let attached = false;
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer | string): void => {
    const parts = (partial + chunk.toString()).split(/\r?\n/);
    partial = parts.pop() ?? '';
    queue.push(...parts);
    wake?.();
  };
  const onEnd = (): void => {
    if (partial !== '') queue.push(partial);
    partial = '';
    ended = true;
    wake?.();
  };
  const close = (): void => {
    if (!attached) return;
    attached = false;
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.pause();
  };
  return {
    close,
    async next(signal) {
      if (!attached && !ended) {
        attached = true;
        stream.on('data', onData);
        stream.once('end', onEnd);
        stream.once('close', onEnd);
        stream.resume();
      }
      while (queue.length === 0 && !ended) {
        await new Promise<void>((resolve, reject) => {
          const onAbort = (): void =>
            reject(new FlowError('FLOW_ABORTED', 'interrupted at the --step prompt', 'step-prompt'));
          if (signal.aborted) return onAbort();
          signal.addEventListener('abort', onAbort, { once: true });
          wake = () => {
            signal.removeEventListener('abort', onAbort);
            wake = undefined;
            resolve();
          };
        });
      }
      return queue.shift() ?? null;
    },
  };
}

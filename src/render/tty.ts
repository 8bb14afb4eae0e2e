/** Spinner view for a terminal: one ora spinner per step on stderr, details printed above it. */
import ora, { type Ora } from 'ora';
import type { Writable } from 'node:stream';
import type { Io } from '../deps.js';
import type { Renderer, RendererOptions } from './index.js';
import {
  type StepEndEvent,
  type Style,
  colourStyle,
  createFlowMemory,
  createLevelFilter,
  describeEvent,
  formatErrorLines,
  formatStepText,
  stepSymbol,
} from './plain.js';

/** TTY renderer: same wording as plain, with colour only when io.color. */
export function ttyRenderer(io: Io, opts: RendererOptions): Renderer {
  const style: Style = colourStyle(io);
  const memory = createFlowMemory();
  const filter = createLevelFilter(opts.level);
  let spinner: Ora | undefined;

  // Clear the spinner line, print above it, then draw the spinner again below.
  const print = (line: string): void => {
    spinner?.clear();
    io.stderr.write(`${opts.redact(line)}\n`);
    spinner?.render();
  };

  const finish = (event: StepEndEvent): void => {
    const symbol = event.type === 'step-failed' && memory.stopped(event.step) ? '■' : stepSymbol(event, style);
    const text = opts.redact(formatStepText(memory.title(event.step), event, style));
    if (spinner === undefined) io.stderr.write(`${symbol} ${text}\n`);
    else spinner.stopAndPersist({ symbol, text });
    spinner = undefined;
  };

  const stop = (): void => {
    spinner?.stop();
    spinner = undefined;
  };

  return {
    onEvent(event) {
      memory.observe(event);
      switch (event.type) {
        case 'step-started':
          stop(); // a step that never finished (should not happen) must not leave a spinner behind
          filter.release();
          spinner = ora({
            text: opts.redact(event.title),
            stream: io.stderr,
            isEnabled: io.isTTY && hasWidth(io.stderr),
            color: io.color ? 'cyan' : false,
          }).start();
          return;
        case 'step-succeeded':
          filter.release();
          if (filter.quiet) stop();
          else finish(event);
          return;
        case 'step-failed':
          // A failing step always shows its hops and checks, whatever the level.
          for (const line of filter.release()) print(line);
          finish(event);
          for (const line of formatErrorLines(event.error, style, {
            verbose: filter.debug,
            checkShown: memory.checkFailed(event.step),
          })) {
            print(line);
          }
          return;
        case 'flow-started':
          if (!filter.quiet) for (const line of describeEvent(event, memory, style, filter.debug)) print(line);
          return;
        default: {
          const lines = describeEvent(event, memory, style, filter.debug);
          const runNote = event.type === 'note' && spinner === undefined && !filter.quiet;
          if (filter.everything || event.type === 'flow-finished' || runNote) lines.forEach(print);
          else filter.hold(lines);
        }
      }
    },
    close: stop,
  };
}

// note: ora divides by the terminal width; a pty that reports 0 columns (e.g. `script` with no size)
// makes its clear() loop forever, so such a terminal gets the static lines instead.
function hasWidth(stream: Writable): boolean {
  const columns: unknown = Reflect.get(stream, 'columns');
  return columns === undefined || (typeof columns === 'number' && columns > 0);
}

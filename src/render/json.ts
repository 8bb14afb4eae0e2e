/** NDJSON on stdout behind --json: one event per line, a contract for scripts once published. */
import type { Io } from '../deps.js';
import type { Renderer, RendererOptions } from './index.js';

/** JSON renderer: each event redacted as data (not as text), so the output stays valid JSON. */
export function jsonRenderer(io: Io, opts: RendererOptions): Renderer {
  return {
    onEvent(event) {
      io.stdout.write(`${JSON.stringify(opts.redactDeep(event))}\n`);
    },
    close: () => undefined,
  };
}

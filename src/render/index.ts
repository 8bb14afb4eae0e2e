/** Picks and builds the renderer that turns flow events into output; the only code that prints them. */
import type { Io } from '../deps.js';
import type { EventSink } from '../events.js';
import { jsonRenderer } from './json.js';
import { plainRenderer } from './plain.js';
import { ttyRenderer } from './tty.js';

export type RenderKind = 'tty' | 'plain' | 'json';

/** What every renderer needs besides Io; a SecretRegistry satisfies it as is. */
export interface RendererOptions {
  redact: (text: string) => string;
  redactDeep: <T>(value: T) => T;
  /** How much the human renderers show (default normal); --json shows every event regardless. */
  level?: OutputLevel;
}

/**
 * quiet: the final line and failures; normal: a line per step and the final line; verbose (-v): every check and
 * hop too; debug (--debug): verbose with per-hop timings and error details. A failing step always shows in full.
 */
export type OutputLevel = 'quiet' | 'normal' | 'verbose' | 'debug';

/** An event sink plus `close()`, which stops a running spinner (idempotent). */
export interface Renderer {
  onEvent: EventSink;
  close(): void;
}

export type RendererFactory = (io: Io, opts: RendererOptions) => Renderer;

const factories: Record<RenderKind, RendererFactory> = {
  tty: ttyRenderer,
  plain: plainRenderer,
  json: jsonRenderer,
};

/** Builds the renderer of the given kind (commands use loadRenderer, which imports only the kind they need). */
export function createRenderer(kind: RenderKind, io: Io, opts: RendererOptions): Renderer {
  return factories[kind](io, opts);
}

export { jsonRenderer, plainRenderer, ttyRenderer };
export { loadRenderer, pickRenderer } from './pick.js';

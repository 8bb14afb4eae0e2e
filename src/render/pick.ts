/**
 * Which renderer a run gets, and loading only that one: the terminal view brings ora and string-width (whose
 * Unicode tables take a while to build), which a run piped into a CI log never draws.
 */
import type { Io } from '../deps.js';
import type { RenderKind, RendererFactory } from './index.js';

/** --json wins; otherwise spinners only on a terminal, plain lines for CI and pipes. */
export function pickRenderer({ json, io }: { json?: boolean | undefined; io: Io }): RenderKind {
  if (json === true) return 'json';
  return io.isTTY ? 'tty' : 'plain';
}

/** The factory of a renderer kind, importing its module on first use. */
export async function loadRenderer(kind: RenderKind): Promise<RendererFactory> {
  switch (kind) {
    case 'tty':
      return (await import('./tty.js')).ttyRenderer;
    case 'plain':
      return (await import('./plain.js')).plainRenderer;
    case 'json':
      return (await import('./json.js')).jsonRenderer;
  }
}

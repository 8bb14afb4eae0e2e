/** Everything a command needs from the outside world, passed down as one object. */
import type { Readable, Writable } from 'node:stream';
import { defined } from './util/defined.js';
import { loopbackFetch } from './util/loopback-fetch.js';

export interface Io {
  stdout: Writable;
  stderr: Writable;
  stdin?: Readable;
  /** stderr is a terminal: spinners and colour are allowed. */
  isTTY: boolean;
  color: boolean;
}

export interface Deps {
  io: Io;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  now: () => number;
  /** Aborted on Ctrl-C; commands pass it to flows and close servers in finally. */
  signal?: AbortSignal;
  /** Opens a URL in the user's browser for `--browser`; tests drive a real one. Default: BROWSER or `open`. */
  openUrl?: (url: string) => Promise<void>;
}

/**
 * Colour on a terminal unless NO_COLOR (no-color.org); FORCE_COLOR (1, 2, 3 or empty) asks for it also when piped,
 * as CI logs that render ANSI do; FORCE_COLOR=0 turns it off.
 */
export function wantsColor(isTTY: boolean, env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.NO_COLOR === undefined;
}

/** The real process's dependencies; only bin/ calls this. */
export function nodeDeps(signal?: AbortSignal): Deps {
  const isTTY = Boolean(process.stderr.isTTY);
  return {
    io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY, color: wantsColor(isTTY) },
    env: process.env,
    fetch: loopbackFetch,
    now: Date.now,
    ...defined({ signal }),
  };
}

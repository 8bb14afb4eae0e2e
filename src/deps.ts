/** Everything a command needs from the outside world, passed down as one object. */
import type { Readable, Writable } from 'node:stream';
import { defined } from './util/defined.js';

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

/** The real process's dependencies; only bin/ calls this. */
export function nodeDeps(signal?: AbortSignal): Deps {
  const isTTY = Boolean(process.stderr.isTTY);
  return {
    io: {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      isTTY,
      color: isTTY && process.env.NO_COLOR === undefined,
    },
    env: process.env,
    fetch: globalThis.fetch.bind(globalThis),
    now: Date.now,
    ...defined({ signal }),
  };
}

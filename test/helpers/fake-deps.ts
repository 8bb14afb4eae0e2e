/** In-process Deps for tests: output collected as text, no terminal, no process globals. */
import { PassThrough } from 'node:stream';
import type { Deps, Io } from '../../src/deps.js';
import { defined } from '../../src/util/defined.js';
import { loopbackFetch } from '../../src/util/loopback-fetch.js';

export interface FakeDeps {
  deps: Deps;
  stdout(): string;
  stderr(): string;
}

export interface FakeDepsOptions {
  isTTY?: boolean;
  color?: boolean;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  now?: () => number;
}

// The transform runs synchronously inside write(), so the text is complete as soon as main() resolves.
function collector(): { stream: PassThrough; text: () => string } {
  let text = '';
  const stream = new PassThrough({
    decodeStrings: false,
    transform(chunk: string | Buffer, _encoding, callback) {
      text += chunk.toString();
      callback(); // nothing is pushed: nobody reads the other side, so it must not fill up
    },
  });
  return { stream, text: () => text };
}

/** Deps whose stdout/stderr are collected; fetch is the real one, env is empty unless given. */
export function createFakeDeps(opts: FakeDepsOptions = {}): FakeDeps {
  const out = collector();
  const err = collector();
  const io: Io = { stdout: out.stream, stderr: err.stream, isTTY: opts.isTTY ?? false, color: opts.color ?? false };
  const deps: Deps = {
    io,
    env: opts.env ?? {},
    fetch: loopbackFetch,
    now: opts.now ?? Date.now,
    ...defined({ signal: opts.signal }),
  };
  return { deps, stdout: out.text, stderr: err.text };
}

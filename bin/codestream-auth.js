#!/usr/bin/env node
import { constants } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { main } from '../dist/cli.js';
import { nodeDeps } from '../dist/deps.js';

// fetch parses HTTP with undici's WebAssembly llhttp. V8 recompiles its hot functions in the background, and Node
// waits for those compile jobs before a process may end: 80–170 ms after a cold `connect` has finished, on two
// cores. The baseline code V8 compiles first parses a lab's small answers fast enough, so it is the only tier.
setFlagsFromString('--liftoff-only');

// A reader that stops early (`codestream-auth --help | head -5`) closes the pipe: what is left to print has
// nobody to read it, which is no error of the run. Anything else on the streams still surfaces.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

const controller = new AbortController();
// SIGINT (Ctrl-C), SIGTERM (kill, docker stop, CI cancel) and SIGHUP (the terminal closed) all end a run the
// same way. First signal: abort, so the command's finally still closes its servers. The listener stays while
// the flow winds down, because ora's signal-exit re-raises SIGINT when no other listener is left.
// Second signal: drop the listeners and re-raise, so Node's default ends the process at once.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let received;
const onSignal = (signal) => {
  if (!controller.signal.aborted) {
    received = signal;
    return controller.abort();
  }
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
};
for (const s of SIGNALS) process.on(s, onSignal);

process.exitCode = await main(process.argv.slice(2), nodeDeps(controller.signal));
// 128 + the signal's number, as a shell reports a process that a signal ended: 130, 143, 129.
if (controller.signal.aborted) process.exitCode = 128 + (constants.signals[received] ?? constants.signals.SIGINT);
for (const s of SIGNALS) process.removeListener(s, onSignal);

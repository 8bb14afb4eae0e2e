#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { nodeDeps } from '../dist/deps.js';

const controller = new AbortController();
// First Ctrl-C: abort, so the command's finally still closes its servers. The listener stays while
// the flow winds down, because ora's signal-exit re-raises SIGINT when no other listener is left.
// Second Ctrl-C: drop the listener and re-raise, so Node's default ends the process at once.
const onSigint = () => {
  if (!controller.signal.aborted) return controller.abort();
  process.removeListener('SIGINT', onSigint);
  process.kill(process.pid, 'SIGINT');
};
process.on('SIGINT', onSigint);

process.exitCode = await main(process.argv.slice(2), nodeDeps(controller.signal));
if (controller.signal.aborted) process.exitCode = 130;
process.removeListener('SIGINT', onSigint);

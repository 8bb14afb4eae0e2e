#!/usr/bin/env node
import { main } from '../dist/cli.js';
import { nodeDeps } from '../dist/deps.js';

const controller = new AbortController();
// The first Ctrl-C aborts the flow so commands still close their servers in finally; once this
// listener is gone, a second Ctrl-C gets Node's default behaviour and ends the process at once.
process.once('SIGINT', () => controller.abort());

process.exitCode = await main(process.argv.slice(2), nodeDeps(controller.signal));
if (controller.signal.aborted) process.exitCode = 130;

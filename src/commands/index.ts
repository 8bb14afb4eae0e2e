/** Every subcommand, registered into the program by src/cli.ts. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { registerConnect } from './connect.js';
import { registerDecodeState } from './decode-state.js';
import { registerScenarios } from './scenarios.js';
import { registerSmoke } from './smoke.js';
import { registerInteract } from './interact.js';
import { registerServe } from './serve.js';
import { registerSignup } from './signup.js';
import { registerProviders } from './providers.js';
import { registerRefresh } from './refresh.js';

/**
 * Attaches one subcommand. Actions report their outcome through `setExit` (0 ok, 1 failed) and throw
 * AppError/UsageError for the rest, so that exit codes stay decided in src/cli.ts alone.
 */
export type RegisterCommand = (program: Command, deps: Deps, setExit: (code: number) => void) => void;

// Each command file appends its register function here, in the order `--help` should list them.
export const commands: RegisterCommand[] = [registerConnect, registerServe, registerInteract, registerScenarios, registerSmoke, registerDecodeState, registerSignup, registerRefresh, registerProviders];

/** What `--browser`, `--timeout` and `--step` need in the commands that offer them (connect, signup, refresh). */
import { createRealBrowserOpener, type UrlOpener } from '../../agent-sim/real-browser.js';
import type { Deps } from '../../deps.js';
import { UsageError } from '../../errors.js';
import type { SecretRegistry } from '../../util/secrets.js';
import { createStepPrompt, stepInput, type StepPrompt } from './step-prompt.js';

/** The opener tests injected through deps, or the user's browser (BROWSER, else `open`). */
export function browserOpener(deps: Deps): UrlOpener {
  return deps.openUrl ?? createRealBrowserOpener({ env: deps.env });
}

/** A positive number of seconds from a flag, as milliseconds. */
export function parseSeconds(flag: string, value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${flag} must be a positive number of seconds, not "${value}"`, {
      hint: `Pass seconds, e.g. ${flag} 120.`,
    });
  }
  return Math.round(seconds * 1000);
}

/**
 * The `--step` prompt on the command's stdin and stderr, previewing each step with `preview`; a usage error
 * (naming `example` in its hint) when there is no stdin at all.
 */
export function createStepMode<C>(
  deps: Deps,
  secrets: SecretRegistry,
  preview: (stepId: string, ctx: C) => string | undefined,
  example: string,
): StepPrompt<C> {
  return createStepPrompt<C>({
    stdin: stepInput(deps.io.stdin, example),
    stderr: deps.io.stderr,
    redact: secrets.redact,
    preview,
  });
}

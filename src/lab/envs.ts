/** Which environments a multi-environment run starts (`--env` plus `--envs`). */
import { UsageError } from '../errors.js';
import type { LabConfig } from './config.js';

/**
 * The chosen environment first, then the others; by default every environment of the lab config, so that
 * the isolation step has neighbours to check. An unknown name is a usage error that lists the known ones.
 */
export function labEnvironments(config: LabConfig, chosen: string, envs?: readonly string[]): string[] {
  const known = config.environments.map((e) => e.name);
  for (const name of [chosen, ...(envs ?? [])]) {
    if (!known.includes(name))
      throw new UsageError(`unknown environment "${name}"`, {
        hint: `Environments in fixtures/lab.json: ${known.join(', ')}.`,
      });
  }
  return [...new Set([chosen, ...(envs ?? known)])];
}

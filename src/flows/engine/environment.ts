/** The run's environment as the lab config names it: where the expected state prefix and shortName come from. */
import type { EnvironmentConfig } from '../../lab/config.js';
import type { FlowLab } from '../../lab/start-lab.js';

/** The lab config's entry of the flow's environment (the run's options, not the mock's context). */
export function environmentOf(ctx: { lab: Pick<FlowLab, 'config'>; envName: string }): EnvironmentConfig | undefined {
  return ctx.lab.config.environments.find((e) => e.name === ctx.envName);
}

/** The state's first segment the run expects: the environment's apiServer.callbackEnvironment (contract §2.2). */
export function expectedStatePrefix(ctx: { lab: Pick<FlowLab, 'config'>; envName: string }): string {
  return String(environmentOf(ctx)?.callbackEnvironment ?? null);
}

/** The scenario catalogue: every named failure scenario, connect, sign-up, refresh, interact and disconnect. */
import { connectBroadcastScenarios } from './catalogue/broadcast.js';
import { checkSignupScenarios } from './catalogue/check-signup.js';
import { connectBrowserScenarios } from './catalogue/connect.js';
import { connectDeliveryScenarios } from './catalogue/delivery.js';
import { directCallScenarios } from './catalogue/direct-calls.js';
import { refreshScenarios } from './catalogue/refresh.js';
import { signupScenarios } from './catalogue/signup.js';
import type { Scenario } from './types.js';

export type { Scenario, Expectation, Injection, FlowKind } from './types.js';
export { isFlowKind } from './types.js';
export {
  DEFAULT_SCENARIO_PROVIDER,
  runScenario,
  findScenario,
  unmetRequirement,
  type ScenarioResult,
  type ScenarioRunOptions,
} from './run-scenario.js';

/** Every scenario, in listing order. */
export const scenarioCatalogue: readonly Scenario[] = [
  ...connectBrowserScenarios,
  ...connectDeliveryScenarios,
  ...connectBroadcastScenarios,
  ...signupScenarios,
  ...checkSignupScenarios,
  ...refreshScenarios,
  ...directCallScenarios,
];

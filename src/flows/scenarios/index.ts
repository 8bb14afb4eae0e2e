/** The scenario catalogue: every named failure scenario, connect and sign-up. */
import { connectBrowserScenarios } from './catalogue-connect.js';
import { connectDeliveryScenarios } from './catalogue-delivery.js';
import { signupScenarios } from './catalogue-signup.js';
import type { Scenario } from './types.js';

export type { Scenario, Expectation, Injection, FlowKind } from './types.js';
export { DEFAULT_SCENARIO_PROVIDER, runScenario, findScenario, unmetRequirement, type ScenarioResult, type ScenarioRunOptions } from './run-scenario.js';

/** Every scenario, in listing order. */
export const scenarioCatalogue: readonly Scenario[] = [...connectBrowserScenarios, ...connectDeliveryScenarios, ...signupScenarios];

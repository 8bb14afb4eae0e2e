/**
 * codestream-auth as a library (docs/library.md): start the lab from a test suite and run flows in it,
 * concurrently. Everything not exported here is internal and may change.
 */
export {
  startLab,
  loadProfiles,
  loadConfig,
  type CodestreamLab,
  type StartLabOptions,
  type LabEnvironment,
  type LabProvider,
  type LabUrls,
  type LabUser,
} from './api/lab.js';
export {
  runConnect,
  runSignup,
  runRefresh,
  runDisconnect,
  runInteract,
  type RunOptions,
  type FlowRunResult,
  type ConnectOptions,
  type SignupOptions,
  type RefreshOptions,
  type DisconnectOptions,
  type InteractOptions,
} from './api/flows.js';
export { runScenario, scenarios, type ScenarioOptions, type ScenarioRunResult } from './api/scenarios.js';
export { AppError, UnknownNameError, type AppErrorCode, type ErrorInfo } from './errors.js';
export type { FlowEvent, HttpExchange, Actor } from './events.js';
export type { ProviderProfile } from './profiles/profile.js';
export type { MockAccount } from './profiles/identity.js';
export type { Scenario, FlowKind } from './flows/scenarios/index.js';
export type { LabConfig } from './lab/config.js';
export type { ApiControl } from './mock-api/control.js';
export type { ProviderControl } from './mock-provider/index.js';

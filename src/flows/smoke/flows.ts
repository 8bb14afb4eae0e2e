/**
 * Which providers each flow smoke runs applies to. How a cell runs is the command's (src/commands/support/
 * lab-runs.ts): in a lab of its own started through the library, as every CLI run.
 */
import type { FlowDeps } from '../connect/run.js';

type LabData = Pick<FlowDeps, 'profiles' | 'config'>;

/** "Connect to X" for every provider profile (enterprise ones use the host registered for the team). */
export const connectSupports = (provider: string, deps: LabData): boolean => deps.profiles.has(provider);

/** "Sign up with X" for providers that support sign-in, have an identity lookup and a client in the lab config. */
export function signupSupports(provider: string, deps: LabData): boolean {
  const profile = deps.profiles.get(provider);
  return (
    profile !== undefined &&
    profile.supportsSignup &&
    profile.identity !== undefined &&
    deps.config.clients[provider] !== undefined
  );
}

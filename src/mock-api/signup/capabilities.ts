/**
 * The server's capabilities in a login package (contract §5 "Server info"; the real server builds them with
 * DetermineCapabilities from a catalogue of `{description, version, restricted?, supportedIdes?, cloudOnly?,
 * useGlobal?}` entries). The lab's catalogue is its own: the handshake's features, not CodeStream's list.
 */

export interface Capability {
  description: string;
  version: string;
  /** Removed on-prem. */
  cloudOnly?: boolean;
  /** Kept only when the server's globals enable it. */
  useGlobal?: boolean;
}

/** What decides which capabilities a server announces. */
export interface CapabilityConfig {
  isOnPrem: boolean;
  suppressEmails: boolean;
  globals: ReadonlySet<string>;
}

/** The lab's catalogue. */
export const LAB_CAPABILITIES: Readonly<Record<string, Capability>> = {
  providerAuth: { description: 'Third-party provider connect through /provider-auth-code', version: '1.0.0' },
  ssoSignup: { description: 'Sign-up and sign-in with a provider, polled with check-signup', version: '1.0.0' },
  emailSupport: { description: 'Emails to users', version: '1.0.0' },
  providerRefresh: { description: 'Token refresh through /provider-refresh', version: '1.0.0', cloudOnly: true },
  providerActions: { description: 'Slack and MS Teams provider actions', version: '1.0.0', useGlobal: true },
};

/** The catalogue after the three filters: emailSupport when emails are suppressed, cloudOnly on-prem, useGlobal. */
export function determineCapabilities(
  config: CapabilityConfig,
  catalogue: Readonly<Record<string, Capability>> = LAB_CAPABILITIES,
): Record<string, Capability> {
  const kept: Record<string, Capability> = {};
  for (const [name, capability] of Object.entries(catalogue)) {
    if (name === 'emailSupport' && config.suppressEmails) continue;
    if (capability.cloudOnly === true && config.isOnPrem) continue;
    if (capability.useGlobal === true && !config.globals.has(name)) continue;
    kept[name] = { ...capability };
  }
  return kept;
}

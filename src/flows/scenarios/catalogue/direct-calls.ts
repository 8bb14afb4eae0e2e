/**
 * Failure scenarios of calls that take no browser leg (contract §1.6, §1.8, §7): a provider's call to the
 * environment through the VPN proxy (interact, failure modes 36 and 37), the agent's deauth (39) and the
 * agent's own POST of a provider token (40). Data only.
 */
import { TEAMS_SNAG_REPLY_START } from '../../engine/contract.js';
import type { Scenario } from '../types.js';

const CONNECT_CODE_EXPIRED_MS = 600_001;

/** The direct-call scenarios, in listing order. */
export const directCallScenarios: readonly Scenario[] = [
  {
    name: 'slack-action-bad-signature',
    title: 'A Slack button press arrives with a signature that does not match its body',
    flow: 'interact',
    source: 'contract FM 36, §7 (Slack interactive components); provider_action/invalid_signature_test.js',
    injects: 'x-slack-signature no longer matches the signed bytes',
    observes: '403 RAPI-1003 from the environment; no action recorded, nothing published',
    provider: 'slack',
    injections: [{ kind: 'tamper-provider-call', tamper: 'signature' }],
    expect: { outcome: 'provider-call-refused', by: 'environment', code: 'RAPI-1003' },
  },
  {
    name: 'slack-action-stale-timestamp',
    title: 'A Slack button press is replayed more than 300 s after it was signed',
    flow: 'interact',
    source: 'contract FM 36, §7 (the 300 s window)',
    injects: 'x-slack-request-timestamp is 360 s old',
    observes: '403 RAPI-1003 from the environment; no action recorded, nothing published',
    provider: 'slack',
    injections: [{ kind: 'tamper-provider-call', tamper: 'timestamp' }],
    expect: { outcome: 'provider-call-refused', by: 'environment', code: 'RAPI-1003' },
  },
  {
    name: 'slack-action-unknown-app',
    title: 'A Slack call names an app no environment owns',
    flow: 'interact',
    source: 'contract FM 36, §7 (VPN proxy routing by api_app_id)',
    injects: 'api_app_id is an app no environment owns',
    observes: 'the VPN proxy refuses it with 403 RAPI-1003 and forwards nothing',
    provider: 'slack',
    injections: [{ kind: 'tamper-provider-call', tamper: 'app' }],
    expect: { outcome: 'provider-call-refused', by: 'proxy', code: 'RAPI-1003' },
  },
  {
    name: 'teams-connect-code-expired',
    title: 'The MS Teams sign-in card comes back after the connect code expired',
    flow: 'interact',
    source: 'contract FM 37, §7 (MS Teams sign-in: the code lives 10 min)',
    injects: 'the clock moves 10 min and 1 ms between generating the connect code and the sign-in card',
    observes: `the bot replies "${TEAMS_SNAG_REPLY_START}"; the team gets no bot info, the user no msteams identity; nothing published`,
    provider: 'msteams',
    injections: [
      { kind: 'advance-clock', before: 'sign', ms: CONNECT_CODE_EXPIRED_MS, why: 'the user types the code too late' },
    ],
    expect: { outcome: 'bot-reply', from: 'verify', says: TEAMS_SNAG_REPLY_START },
  },
  {
    name: 'deauth-enterprise-without-host',
    title: 'The agent disconnects an enterprise provider without naming the host',
    flow: 'disconnect',
    source: 'contract FM 39, §1.8 (deauth); provider_deauth/provider_deauth_test.js',
    injects: 'PUT /provider-deauth/<p> {teamId} with no host, the token stored under hosts.<starred host>',
    observes:
      'only the .accessToken keys are unset: the host entry keeps its token, in the store and in the agent, so the provider stays connected',
    provider: 'github_enterprise',
    requires: ['enterprise'],
    injections: [{ kind: 'deauth-without-host' }],
    expect: { outcome: 'disconnected', hostTokenKept: true },
  },
  {
    name: 'client-token-non-github',
    title: 'The agent posts a provider token for a provider other than GitHub',
    flow: 'signup',
    source: 'contract FM 40, §1.6; post_provider_token/invalid_provider_test.js',
    injects:
      "instead of the browser, the agent's ProviderTokenRequestType: POST /no-auth/provider-token/jira {token, signup_token}",
    observes: 'JSON 403 PRVD-1011, no redirect, nothing written and no signup record: check-signup stays AUTH-1006',
    provider: 'jira',
    requires: ['own-provider'],
    injections: [],
    expect: { outcome: 'client-token-refused', from: 'start', status: 403, code: 'PRVD-1011' },
  },
];

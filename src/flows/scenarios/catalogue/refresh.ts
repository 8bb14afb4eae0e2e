/**
 * Failure scenarios of "Refresh the token of X" (contract §1.8, failure mode 38): a connect, then the
 * agent's GET /provider-refresh refused. Data only.
 */
import type { Scenario } from '../types.js';

const refresh = (s: Omit<Scenario, 'flow'>): Scenario => ({ flow: 'refresh', ...s });

/** Refresh refusals: every one is RAPI-1009 to the agent, whatever the cause. */
export const refreshScenarios: readonly Scenario[] = [
  refresh({
    name: 'refresh-unsupported',
    title: 'The agent asks to refresh the token of a provider without refresh support',
    source: 'contract FM 38, §1.8; §8 provider_refresh (github, trello, youtrack, slack, okta)',
    injects: 'after a connect, GET /provider-refresh/<p> for a provider whose profile has no refresh support',
    observes:
      '403 RAPI-1009, reason "token refresh not supported by provider"; the stored token, the me-channel and the agent\'s cache are unchanged',
    provider: 'github',
    requires: ['no-refresh'],
    injections: [],
    expect: {
      outcome: 'api-error',
      from: 'refresh-call',
      status: 403,
      code: 'RAPI-1009',
      reason: 'token refresh not supported by provider',
    },
  }),
  refresh({
    name: 'refresh-rejected',
    title: 'The provider refuses the refresh grant (Atlassian answers 403 invalid_grant)',
    source: 'contract FM 38, §1.8; oauth-rules-and-quirks §4 (Atlassian refuses refreshes with 403)',
    injects: 'the provider answers the refresh grant with invalid_grant, with its own refusal status (403 for Jira)',
    observes:
      "403 RAPI-1009 naming the provider's answer in reason; nothing stored or broadcast; the agent would disconnect and connect again",
    provider: 'jira',
    requires: ['refresh-provider'],
    injections: [
      {
        kind: 'provider-fault',
        endpoint: 'token',
        before: 'refresh-call',
        fault: { kind: 'oauth-error', error: 'invalid_grant' },
      },
    ],
    expect: { outcome: 'api-error', from: 'refresh-call', status: 403, code: 'RAPI-1009' },
  }),
];

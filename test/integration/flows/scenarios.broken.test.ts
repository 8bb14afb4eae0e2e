import { describe, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import {
  runScenario,
  scenarioCatalogue,
  type Expectation,
  type Scenario,
  type ScenarioResult,
} from '../../../src/flows/scenarios/index.js';
import { flowDeps } from '../../helpers/lab.js';

function failureOf(result: ScenarioResult, events: FlowEvent[]): string {
  if (result.ok) return '';
  const checks = events.filter((e) => e.type === 'check-failed').map((e) => JSON.stringify(e));
  return `${result.skipped ?? ''} step ${result.outcome?.failedStep ?? '?'}: ${result.outcome?.error?.message ?? ''} ${checks.join(' ')}`;
}

const byName = (name: string): Scenario => {
  const found = scenarioCatalogue.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};

// A scenario whose expectation is wrong must fail, at the step where the system differs.
const broken: Array<[string, string, Expectation, string]> = [
  ['lost broadcast expected live', 'lost-broadcast-history', { outcome: 'connected', delivery: 'live' }, 'broadcast'],
  [
    'lost broadcast without history expected from history',
    'lost-broadcast-users-me',
    { outcome: 'connected', delivery: 'history' },
    'broadcast',
  ],
  [
    'duplicate expected applied twice',
    'duplicate-broadcast',
    { outcome: 'connected', delivery: 'live', duplicatesDropped: 0 },
    'broadcast',
  ],
  [
    'quick reconnect expected to read history',
    'agent-offline-quick-reconnect',
    { outcome: 'connected', delivery: 'history' },
    'broadcast',
  ],
  ['a day offline expected live', 'agent-offline-over-a-day', { outcome: 'connected', delivery: 'live' }, 'broadcast'],
  [
    'version gap expected without a re-fetch',
    'version-gap',
    { outcome: 'connected', delivery: 'live', refetch: false },
    'broadcast',
  ],
  [
    'slow provider expected even slower',
    'slow-provider',
    { outcome: 'connected', delivery: 'live', callbackAtLeastMs: 60_000 },
    'callback',
  ],
  [
    'expired pauth expected as tampered',
    'slow-user-connect',
    { outcome: 'web-error', from: 'callback', code: 'AUTH-1002', state: true },
    'callback',
  ],
  [
    'start error expected to carry a state',
    'unknown-provider-at-start',
    { outcome: 'web-error', from: 'start', code: 'PRVD-1000', state: true },
    'start',
  ],
  [
    'router refusal expected as 404',
    'unknown-environment',
    { outcome: 'refused', from: 'route', by: 'router', status: 404, says: 'not known' },
    'route',
  ],
  [
    'provider refusal expected from the router',
    'redirect-uri-not-registered',
    { outcome: 'refused', from: 'authorize', by: 'router', status: 400, says: 'x' },
    'authorize',
  ],
  [
    'replay expected to succeed again',
    'code-replay',
    { outcome: 'web-error', from: 'replay', code: 'AUTH-1005', state: true, revoked: true },
    'replay',
  ],
  [
    'foreign team expected as a missing parameter',
    'auth-code-foreign-team',
    { outcome: 'api-error', from: 'auth-code', status: 403, code: 'RAPI-1001' },
    'auth-code',
  ],
  [
    "bitbucket without primary email expected as GitLab's code",
    'bitbucket-no-primary-email',
    {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1010',
      answer: 'USRC-1022',
      nested: 'PRVD-1010',
      result: 'UNKNOWN',
    },
    'callback',
  ],
  [
    'expired record expected invalid',
    'signup-record-expired',
    { outcome: 'login-failed', from: 'poll', webError: null, answer: 'AUTH-1005', result: 'TOKEN_INVALID' },
    'poll',
  ],
  [
    'pending expected a thousand times',
    'signup-pending-then-login',
    { outcome: 'logged-in', minPending: 1000 },
    'poll',
  ],
  ['noSignup mismatch expected as a login', 'no-signup-no-match', { outcome: 'logged-in' }, 'poll'],
  [
    'large directive expected in 2 parts',
    'large-broadcast',
    { outcome: 'connected', delivery: 'live', parts: 2 },
    'broadcast',
  ],
  [
    'large directive with a lost part expected live',
    'large-broadcast-part-lost',
    { outcome: 'connected', delivery: 'live', parts: 3 },
    'broadcast',
  ],
  [
    'three 503s expected retried twice',
    'check-signup-5xx-retried',
    { outcome: 'logged-in', retried: ['503', '503'] },
    'poll',
  ],
  ['hung call expected answered at once', 'check-signup-timeout', { outcome: 'logged-in', retried: [] }, 'poll'],
  ['unregistered user expected to log in', 'signup-user-not-registered', { outcome: 'logged-in' }, 'poll'],
  [
    'deactivated user expected expired',
    'signup-user-deactivated',
    { outcome: 'login-failed', from: 'poll', webError: null, answer: 'RAPI-1003', result: 'TOKEN_EXPIRED' },
    'poll',
  ],
  [
    'region switch expected to another url',
    'signup-region-switch',
    {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1032',
      result: 'UNKNOWN',
      switchTo: 'https://us.api.codestream.example',
    },
    'poll',
  ],
  [
    'unmapped nested code expected unflagged',
    'signup-nested-code-unmapped',
    {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1022',
      nested: 'RAPI-1010',
      result: 'UNKNOWN',
      unmapped: false,
    },
    'poll',
  ],
];

describe.concurrent('a scenario with a wrong expectation fails at the step where the system differs', () => {
  it.for(broken)('%s', async ([, name, expect_, step], { expect }) => {
    const deps = await flowDeps();
    const result = await runScenario({ ...byName(name), expect: expect_ }, {}, deps);
    expect(result.ok).toBe(false);
    expect(result.outcome?.failedStep).toBe(step);
  });

  it('fails when the injection is missing: consent-denied without the denial', async ({ expect }) => {
    const deps = await flowDeps();
    const result = await runScenario({ ...byName('consent-denied'), injections: [] }, {}, deps);
    expect(result.outcome?.failedStep).toBe('authorize');
    expect(deps.events.some((e) => e.type === 'check-failed' && e.actual.includes('from the marketing'))).toBe(true);
  });

  it.for([
    ['large-broadcast', 'broadcast'],
    ['check-signup-timeout', 'poll'],
    ['check-signup-5xx-retried', 'poll'],
  ] as const)('fails when the injection is missing: %s without it fails at %s', async ([name, step], { expect }) => {
    const deps = await flowDeps();
    const result = await runScenario({ ...byName(name), injections: [] }, {}, deps);
    expect(result.outcome?.failedStep).toBe(step);
  });

  it('sends the doubled token from the agent only: the start URL keeps the single one', async ({ expect }) => {
    const deps = await flowDeps();
    const result = await runScenario(byName('signup-token-double-paste'), {}, deps);
    expect(failureOf(result, deps.events)).toBe('');
    expect(
      deps.events.some((e) => e.type === 'check-passed' && e.check.startsWith('the pasted token is 72 characters')),
    ).toBe(true);
    const start = deps.events.find((e) => e.type === 'http' && e.url.includes('/web/provider-auth/'));
    expect(start?.type === 'http' && new URL(start.url).searchParams.get('signupToken')).toHaveLength(36);
  });

  it('runs against another provider, with the code that provider gets', async ({ expect }) => {
    const deps = await flowDeps();
    // jira has no sign-up: a denial is USRC-1022 with providerError (contract §1.5 step 5).
    const result = await runScenario(byName('consent-denied'), { provider: 'jira' }, deps);
    expect(failureOf(result, deps.events)).toBe('');
    expect(
      deps.events.some(
        (e) =>
          e.type === 'step-succeeded' &&
          e.detail?.includes('code=USRC-1022') &&
          e.detail.includes('providerError=access_denied'),
      ),
    ).toBe(true);
  });

  it.for([
    ['slow-user-signup', 'jira', 'provider "jira" does not support sign-up'],
    ['exchange-invalid-grant', 'trello', 'provider "trello" uses the fragment flow, not the OAuth 2 code flow'],
    ['consent-denied', 'jiraserver', 'provider "jiraserver" uses the oauth1 flow, not the OAuth 2 code flow'],
    [
      'mix-up',
      'github_enterprise',
      'provider "github_enterprise" is an enterprise provider (its state carries a host)',
    ],
    ['gitlab-no-public-email', 'bitbucket', 'the scenario is about a quirk of "gitlab"'],
  ] as const)('skips %s with %s, saying why', async ([name, provider, reason], { expect }) => {
    const deps = await flowDeps();
    const result = await runScenario(byName(name), { provider }, deps);
    expect(result).toMatchObject({ ok: false, skipped: reason });
    expect(deps.events).toEqual([]);
  });

  it.for(['gitlab', 'slack', 'github_enterprise', 'azuredevops'])(
    'recovers a lost broadcast from history for %s too (its own storage key)',
    async (provider, { expect }) => {
      const deps = await flowDeps();
      const result = await runScenario(byName('lost-broadcast-history'), { provider }, deps);
      expect(failureOf(result, deps.events)).toBe('');
    },
  );
});

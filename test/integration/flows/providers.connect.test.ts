/**
 * Every profile of fixtures/providers walks the whole connect on real sockets (and sign-up where it has
 * sign-in): adding a JSON profile adds its end-to-end test. Per-kind checks follow the table.
 */
import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { flowDeps, labData } from '../../helpers/lab.js';

const { profiles } = await labData();
const stepsOf = (events: FlowEvent[]) =>
  events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);
const notesOf = (events: FlowEvent[]) =>
  events.filter((e) => e.type === 'note').map((e) => (e as { text: string }).text);

describe.each([...profiles.values()])('$id', (profile) => {
  it('connects end to end: the agent receives exactly the token the API stored, with no failed check', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runConnect({ provider: profile.id, envs: ['local', 'qa'] }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed' || e.type === 'step-failed')).toEqual([]);
    expect(outcome.ok).toBe(true);
    expect(context.issuedToken).toEqual(expect.any(String));
    expect(context.deliveredToken).toBe(context.issuedToken);
    expect(context.storedToken).toBe(context.issuedToken);
    expect(deps.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    const steps = stepsOf(deps.events);
    expect(steps.includes('fragment-hop')).toBe(profile.delivery.mode === 'fragment');
    expect(steps.at(-1)).toBe('isolation');
    // Restrictive providers say which origin their callback used and why (contract §7).
    expect(notesOf(deps.events).some((n) => n.startsWith('no router hop'))).toBe(profile.restrictive);
  });
});

// Only profiles with sign-in take part: the list is filtered rather than skipped, so no test is reported as skipped.
describe.each([...profiles.values()].filter((p) => p.supportsSignup && p.identity !== undefined))(
  '$id sign-up',
  (profile) => {
    it('signs up end to end, polling check-signup', async () => {
      const deps = await flowDeps();
      const { outcome } = await runSignup(
        { provider: profile.id, poll: true, intervalMs: 20, timeoutMs: 5000, envs: [] },
        deps,
      );
      expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
      expect(outcome.ok).toBe(true);
    });
  },
);

describe('what each kind of profile stores', () => {
  it.each([
    ['github_enterprise', 'providerInfo.acme.github_enterprise.hosts.https://git*example*com'],
    ['gitlab_enterprise', 'providerInfo.acme.gitlab_enterprise.hosts.https://gitlab*example*com'],
    ['jiraserver', 'providerInfo.acme.jiraserver.hosts.https://jira*example*com'],
    ['slack', 'providerInfo.acme.slack.multiple.T0ACME0001'],
    ['trello', 'providerInfo.acme.trello'],
    ['azuredevops', 'providerInfo.acme.azuredevops'],
  ])('%s under %s', async (provider, key) => {
    const deps = await flowDeps();
    const { context } = await runConnect({ provider, envs: ['local'] }, deps);
    expect(context.storageKey).toBe(key);
  });

  it("keeps Slack's bot token on the team and broadcasts only its data on team-<id> (contract §4.1, §4.2)", async () => {
    const deps = await flowDeps();
    const { context } = await runConnect({ provider: 'slack', envs: ['local'] }, deps);
    const team = context.api.control.store.team('acme') as unknown as {
      serverProviderToken: { slack: { multiple: Record<string, { accessToken: string }> } };
    };
    expect(team.serverProviderToken.slack.multiple.T0ACME0001?.accessToken).toMatch(/^xoxb-/);
    expect(context.issuedToken).toMatch(/^xoxp-/);
    const teamMessage = context.api.control.broadcasts.messagesOn('team-acme').at(-1);
    expect(JSON.stringify(teamMessage)).not.toContain(team.serverProviderToken.slack.multiple.T0ACME0001?.accessToken);
    expect(teamMessage?.message).toMatchObject({
      team: { $set: { 'serverProviderData.slack.multiple.T0ACME0001': { team_id: 'T0ACME0001', token_type: 'bot' } } },
    });
  });

  it("stores Trello's apiKey from the client config with the fragment token (contract §8 message_test)", async () => {
    const deps = await flowDeps();
    const { context } = await runConnect({ provider: 'trello', envs: ['local'] }, deps);
    const user = context.api.control.store.user('dana') as unknown as {
      providerInfo: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(user.providerInfo['acme']?.trello).toMatchObject({
      accessToken: context.issuedToken,
      apiKey: 'cs-trello-key',
      data: { apiKey: 'cs-trello-key' },
    });
  });

  it('fails the start step naming PRVD-1003 for an enterprise host the team never registered', async () => {
    const deps = await flowDeps();
    const { outcome } = await runConnect(
      { provider: 'github_enterprise', envs: ['local'], host: 'https://other.example.com' },
      deps,
    );
    expect(outcome).toMatchObject({ ok: false, failedStep: 'start' });
    expect(deps.events.find((e) => e.type === 'check-failed')).toMatchObject({
      check: 'start is not sent to /web/error',
      actual: '"/web/error with code PRVD-1003"',
    });
  });
});

/** `codestream-auth providers [--json]`: every profile with its flows, format and quirks, on stdout. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { ProfileSummary } from '../../src/profiles/summary.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';

describe('codestream-auth providers', () => {
  it('--json lists every profile of fixtures/providers with what it supports', async () => {
    const fake = createFakeDeps();
    expect(await main(['providers', '--json'], fake.deps)).toBe(0);
    const list = JSON.parse(fake.stdout()) as ProfileSummary[];
    const { profiles } = await labData();
    expect(list.map((s) => s.id)).toEqual([...profiles.keys()]);
    expect(list.find((s) => s.id === 'github')).toMatchObject({
      flows: ['connect', 'signup'],
      kind: 'oauth2-code',
      format: 'query',
      clientAuth: 'post',
      quirks: expect.arrayContaining(['errors come with HTTP 200']),
    });
    expect(list.find((s) => s.id === 'jiraserver')).toMatchObject({
      kind: 'oauth1',
      enterprise: true,
      restrictive: true,
    });
    expect(list.find((s) => s.id === 'trello')).toMatchObject({ kind: 'oauth2-fragment', flows: ['connect'] });
    expect(list.find((s) => s.id === 'jira')?.flows).toEqual(['connect', 'refresh']);
    expect(list.find((s) => s.id === 'slack')?.quirks).toContain(
      'one token per workspace: providerInfo.<team>.slack.multiple.<team_id>',
    );
    expect(fake.stderr()).toBe('');
  });

  it('prints a readable table with each quirk under its provider', async () => {
    const fake = createFakeDeps();
    expect(await main(['providers'], fake.deps)).toBe(0);
    expect(fake.stdout()).toMatch(/^azuredevops\s+Azure DevOps\s+oauth2-code\s+form, assertion\s+connect, refresh$/m);
    expect(fake.stdout()).toContain('· the client secret is sent as a jwt-bearer client_assertion');
    expect(fake.stdout()).toContain(`${(await labData()).profiles.size} providers.`);
  });
});

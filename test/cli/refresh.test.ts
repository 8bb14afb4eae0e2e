/**
 * GET /provider-refresh/:provider (contract §1.8) and `codestream-auth refresh`: every provider with refresh
 * support end to end, and each error in the real server's order, never changing the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Lab } from '../../src/lab/start-lab.js';
import { runConnect } from '../../src/flows/connect/run.js';
import { runRefresh } from '../../src/flows/refresh/steps.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { flowDeps, getManual, labData, startTestLab } from '../helpers/lab.js';

const { profiles } = await labData();
const refreshable = [...profiles.values()].filter((p) => p.supportsRefresh && p.token !== undefined).map((p) => p.id);
const DANA = { authorization: 'Bearer cs-token-dana' };

describe.each(refreshable)('refresh %s', (provider) => {
  it('connects, refreshes through the API and delivers the new token to the agent', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runRefresh({ provider, envs: ['local'] }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(outcome.ok).toBe(true);
    const steps = deps.events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);
    expect(steps.slice(-3)).toEqual(['refresh-call', 'refresh-broadcast', 'isolation']);
    expect(context.deliveredToken).not.toBe(context.issuedToken);
  });
});

describe('GET /provider-refresh errors', () => {
  let lab: Lab;
  let api: string;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['jira', 'github', 'slack'], envs: ['local'] });
    api = lab.envs.get('local')!.url;
  });
  afterAll(async () => {
    await lab?.close();
  });
  const refresh = (path: string, headers: Record<string, string> = DANA) => getManual(`${api}${path}`, { headers });

  it.each([
    ['no Bearer token', '/provider-refresh/jira?teamId=acme', {}, 'AUTH-1001'],
    ['no teamId', '/provider-refresh/jira', DANA, 'RAPI-1001'],
    ['a team the user is not on', '/provider-refresh/jira?teamId=other', DANA, 'RAPI-1009'],
    ['an unknown team (the ACL runs first)', '/provider-refresh/jira?teamId=nope', DANA, 'RAPI-1009'],
    ['an unknown provider', '/provider-refresh/blahblah?teamId=acme', DANA, 'PRVD-1000'],
    ['a provider without refresh support', '/provider-refresh/github?teamId=acme', DANA, 'RAPI-1009'],
    ['no stored refresh token', '/provider-refresh/jira?teamId=acme', DANA, 'RAPI-1009'],
    ['sharing without subId', '/provider-refresh/jira?teamId=acme&sharing=true', DANA, 'RAPI-1001'],
  ])('answers %s with 403 %s and changes nothing', async (_name, path, headers, code) => {
    const before = lab.envs.get('local')!.ctx.store.snapshot();
    const res = await refresh(path, headers);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ code });
    expect(lab.envs.get('local')!.ctx.store.snapshot()).toEqual(before);
  });

  it("answers RAPI-1009 naming the provider's refusal when the refresh token was already rotated away (Atlassian 403)", async () => {
    const deps = await flowDeps();
    const { context } = await runConnect({ provider: 'jira', envs: ['local'] }, deps, lab);
    const key = context.storageKey ?? '';
    const first = await refresh('/provider-refresh/jira?teamId=acme');
    expect(first.status).toBe(200);
    // Contract §1.10: the whole provider object under one key.
    expect(JSON.parse(first.body)).toMatchObject({ user: { $set: { [key]: { refreshToken: expect.any(String) } } } });
    // Put the used refresh token back, as a client that lost the rotated one would.
    const used = lab.providers.get('jira')!.control.issued.find((t) => t.kind === 'code')?.refreshToken ?? '';
    const user = lab.envs.get('local')!.ctx.store.users.get('dana')!;
    (user.providerInfo['acme'] as { jira: { refreshToken?: string } }).jira.refreshToken = used;
    const second = await refresh('/provider-refresh/jira?teamId=acme');
    expect(second.status).toBe(403);
    expect(JSON.parse(second.body)).toMatchObject({
      code: 'RAPI-1009',
      // Contract §1.10: refresh errors carry their text in reason.
      reason: 'token endpoint answered 403 with error "invalid_grant"',
    });
  });
});

describe('codestream-auth refresh', () => {
  it('is a usage error for a provider without refresh support, listing those with it', async () => {
    const fake = createFakeDeps();
    expect(await main(['refresh', 'github'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('error: provider "github" has no refresh support');
    expect(fake.stderr()).toContain(`Providers with it: ${refreshable.join(', ')}`);
  });

  it('exits 0 for jira with the refresh steps on stderr', async () => {
    const fake = createFakeDeps();
    expect(await main(['refresh', 'jira', '--envs', 'local'], fake.deps)).toBe(0);
    expect(fake.stderr()).toContain('Agent asks the API to refresh the token (GET /provider-refresh)');
  });
});

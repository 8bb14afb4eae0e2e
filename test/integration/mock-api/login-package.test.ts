/**
 * The login package check-signup answers (contract §5 "Success package"), case by case as CodeStream's own
 * users/test/check_signup/ suite asserts it: check_signup_test.js, token_is_valid_test.js, is_webmail_test.js,
 * eligible_join_companies_test.js. Expected values come from the contract, the lab config and each test's setup.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { ApiContext } from '../../../src/mock-api/context.js';
import type { UserDoc } from '../../../src/mock-api/store.js';
import { startTestLab } from '../../helpers/lab.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

type Answer = { status: number; body: Record<string, unknown> };

async function setup(): Promise<{ ctx: ApiContext; url: string; login: (extra?: object) => Promise<Answer> }> {
  lab = await startTestLab({});
  const api = lab.envs.get('local')!;
  const login = async (extra: object = {}): Promise<Answer> => {
    const token = randomUUID();
    api.ctx.signups.insert({ token, userId: 'dana', signupStatus: 'signedIn', provider: 'github' });
    const res = await fetch(`${api.url}/no-auth/check-signup`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, ...extra }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ctx: api.ctx, url: api.url, login };
}

describe('the login package (contract §5; users/test/check_signup/)', () => {
  it('carries capabilities, every environment of the group and the server URLs (check_signup_test.js)', async () => {
    const { ctx, login } = await setup();
    const { status, body } = await login();
    expect(status).toBe(200);
    const capabilities = body.capabilities as Record<string, { description: string; version: string }>;
    expect(Object.keys(capabilities).length).toBeGreaterThan(0);
    for (const c of Object.values(capabilities))
      expect(c).toMatchObject({ description: expect.any(String), version: expect.any(String) });
    expect((body.environmentHosts as { name: string }[]).map((h) => h.name)).toEqual(
      lab!.config.environments.map((e) => e.name),
    );
    expect(body.environmentHosts).toContainEqual({ name: 'local', shortName: 'local', publicApiUrl: ctx.publicApiUrl });
    expect(body).toMatchObject({ ...lab!.config.serverUrls, isOnPrem: false, isProductionCloud: false });
    for (const name of ['newRelicLandingServiceUrl', 'o11yServerUrl', 'newRelicApiUrl'])
      expect(body[name]).toEqual(expect.any(String));
    // accountIsConnected is set only when the agent names a New Relic account.
    expect(body).not.toHaveProperty('accountIsConnected');
    expect((await login({ nrAccountId: 12345 })).body).toMatchObject({ accountIsConnected: false });
  });

  it('answers an access token that works for GET /users/me, the same user (token_is_valid_test.js)', async () => {
    const { url, login } = await setup();
    const { body } = await login();
    const me = await fetch(`${url}/users/me`, { headers: { authorization: `Bearer ${String(body.accessToken)}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { id: string } }).user.id).toBe((body.user as { id: string }).id);
  });

  it.each([
    ['gmail.com', 'dana@gmail.com', true],
    ['a company domain', 'dana@acme.example', false],
  ])('says isWebmail for %s (is_webmail_test.js)', async (_what, email, webmail) => {
    const { ctx, login } = await setup();
    ctx.store.users.get('dana')!.email = email;
    const { status, body } = await login();
    expect(status).toBe(200);
    expect(body.isWebmail).toBe(webmail);
    // A webmail domain is never matched for joining by domain (contract §5, eligibleJoinCompanies?).
    if (webmail) expect(body.user).not.toHaveProperty('eligibleJoinCompanies');
  });

  it('lists the companies the user may join by domain and by invite, sorted by id (eligible_join_companies_test.js)', async () => {
    const { ctx, login } = await setup();
    const random = `${randomUUID().slice(0, 8)}.example`;
    // Two companies another user created with domain joining for the user's domain, and one without.
    const creator = seedUser(ctx, 'creator', 'creator@elsewhere.example', []);
    for (const [id, domains] of [
      ['c-domain-1', [random, 'acme.example']],
      ['c-domain-2', [random, 'acme.example']],
      ['c-domain-none', [random]],
    ] as const) {
      ctx.store.companies.set(id, { id, name: id, everyoneTeamId: `team-${id}`, domainJoining: [...domains] });
      creator.companyIds.push(id);
    }
    // Two invites of the user's email: one still open (an unregistered record), one accepted (registered).
    ctx.store.companies.set('c-invite-1', { id: 'c-invite-1', name: 'Invite 1', everyoneTeamId: 'team-i1' });
    ctx.store.companies.set('c-invite-2', { id: 'c-invite-2', name: 'Invite 2', everyoneTeamId: 'team-i2' });
    seedUser(ctx, 'invited-1', 'dana@acme.example', ['c-invite-1'], false);
    const accepted = seedUser(ctx, 'invited-2', 'DANA@acme.example', ['c-invite-2'], true);
    creator.companyIds.push('c-invite-1', 'c-invite-2');
    const { status, body } = await login();
    expect(status).toBe(200);
    const got = [...((body.user as { eligibleJoinCompanies: { id: string }[] }).eligibleJoinCompanies ?? [])].sort(
      (a, b) => a.id.localeCompare(b.id),
    );
    const byDomain = (id: string) => ({
      id,
      name: id,
      teamId: `team-${id}`,
      domainJoining: [random, 'acme.example'],
      memberCount: 1,
      byDomain: 'acme.example',
    });
    expect(got).toEqual([
      byDomain('c-domain-1'),
      byDomain('c-domain-2'),
      { id: 'c-invite-1', name: 'Invite 1', teamId: 'team-i1', memberCount: 1, byInvite: true },
      {
        id: 'c-invite-2',
        name: 'Invite 2',
        teamId: 'team-i2',
        memberCount: 2,
        byInvite: true,
        accessToken: accepted.accessToken,
      },
      // The user's own record is one of the records with this email: its company comes by invite too.
      {
        id: 'company-acme',
        name: 'Acme',
        teamId: 'acme',
        memberCount: 2,
        byInvite: true,
        accessToken: 'cs-token-dana',
      },
    ]);
  });

  it('refuses a user in maintenance mode with USRC-1023 and uses up the record (contract §5, failure mode 24)', async () => {
    const { ctx, login } = await setup();
    ctx.store.users.get('dana')!.inMaintenanceMode = true;
    expect(await login()).toMatchObject({ status: 403, body: { code: 'USRC-1023' } });
  });
});

function seedUser(ctx: ApiContext, id: string, email: string, companyIds: string[], isRegistered = true): UserDoc {
  const user: UserDoc = {
    _id: id,
    id,
    email,
    username: id,
    fullName: id,
    isRegistered,
    deactivated: false,
    teamIds: [],
    companyIds,
    providerInfo: {},
    providerIdentities: [],
    version: 1,
    modifiedAt: 0,
    accessToken: `cs-token-${id}`,
    broadcasterToken: `bc-token-${id}`,
  };
  ctx.store.users.set(id, user);
  return user;
}

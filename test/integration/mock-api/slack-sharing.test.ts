/**
 * A sharing connect (contract §3.2 last bullet, §4.1 "Sharing model", failure modes 34 and 35): the API asks
 * the provider's profile call (Slack users.info) with the user token, stores extra {locale, tz, tz_label} and
 * adds the workspace identity; a failing call is PRVD-1007 and stores nothing; no authed_user is RAPI-1010.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runScenario, scenarioCatalogue, type Scenario } from '../../../src/flows/scenarios/index.js';
import type { Lab } from '../../../src/lab/start-lab.js';
import { parseProfile } from '../../../src/profiles/profile.js';
import { getPath } from '../../../src/util/dotted.js';
import { objectOrEmpty } from '../../../src/util/json.js';
import { flowDeps, labData, startTestLab } from '../../helpers/lab.js';

const KEY = 'providerInfo.acme.slack.multiple.T0ACME0001';
const byName = (name: string): Scenario => scenarioCatalogue.find((s) => s.name === name) as Scenario;

describe('a Slack sharing connect', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['slack', 'msteams'], envs: ['local'] });
  });
  afterAll(async () => {
    await lab?.close();
  });

  it('stores extra from users.info and adds slack::<user> with $addToSet, in the broadcast directive too', async () => {
    const deps = await flowDeps();
    const { outcome, context } = await runConnect({ provider: 'slack', envs: ['local'] }, deps, lab);
    expect(outcome.ok).toBe(true);
    const api = lab.envs.get('local')!.ctx;
    const call = lab.providers
      .get('slack')!
      .control.requests.filter((r) => r.endpoint === 'profile')
      .at(-1);
    expect(call).toMatchObject({
      method: 'GET',
      path: '/api/users.info',
      rawQuery: 'user=U0DANA00001&include_locale=true',
      status: 200,
    });
    expect(call?.headers.authorization).toBe(`Bearer ${context.issuedToken}`);
    const user = api.store.users.get('dana')!;
    expect(getPath(user.providerInfo, 'acme.slack.multiple.T0ACME0001.extra')).toEqual({
      locale: 'en-US',
      tz: 'America/New_York',
      tz_label: 'Eastern Daylight Time',
    });
    expect(user.providerIdentities).toContain('slack::U0DANA00001');
    const directive = api.broadcaster
      .messagesOn('user-dana')
      .map((m) => objectOrEmpty(m.message.user))
      .find((u) => objectOrEmpty(u.$set)[`${KEY}.accessToken`] !== undefined);
    expect(objectOrEmpty(directive?.$set)[`${KEY}.extra`]).toEqual({
      locale: 'en-US',
      tz: 'America/New_York',
      tz_label: 'Eastern Daylight Time',
    });
    expect(directive?.$addToSet).toEqual({ providerIdentities: 'slack::U0DANA00001' });
  });

  it('makes no profile call and adds no identity for a sharing provider without one (MS Teams: no multiple entry)', async () => {
    const deps = await flowDeps();
    const { outcome } = await runConnect({ provider: 'msteams', envs: ['local'] }, deps, lab);
    expect(outcome.ok).toBe(true);
    expect(lab.providers.get('msteams')!.control.requests.filter((r) => r.endpoint === 'profile')).toEqual([]);
    const teams = objectOrEmpty(
      getPath(lab.envs.get('local')!.ctx.store.users.get('dana')!.providerInfo, 'acme.msteams'),
    );
    expect(teams.accessToken).toEqual(expect.any(String));
    expect(teams.extra).toBeUndefined();
  });
});

describe('the mock users.info (Slack Web API: errors as 200 {ok:false, error})', () => {
  let lab: Lab;
  let url: string;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['slack'], envs: ['local'] });
    url = `${lab.providers.get('slack')!.url}/api/users.info`;
  });
  afterAll(async () => {
    await lab?.close();
  });
  const issue = () =>
    lab.providers.get('slack')!.control.grants.issueToken({ code: 'c', clientId: 'cs-slack-client' }, 'xoxp-')
      .accessToken;

  it('answers the profile template with the asked user', async () => {
    const res = await fetch(`${url}?user=U0LEE00001&include_locale=true`, {
      headers: { authorization: `Bearer ${issue()}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      user: { id: 'U0LEE00001', locale: 'en-US', tz: 'America/New_York', tz_label: 'Eastern Daylight Time' },
    });
  });

  it.each([
    ['no token', '?user=U1&include_locale=true', undefined, 'invalid_auth'],
    ['a token it never issued', '?user=U1&include_locale=true', 'xoxp-forged', 'invalid_auth'],
    ['no user parameter', '?include_locale=true', 'issued', 'invalid_arguments'],
  ])('refuses %s with {ok:false, error:%s}', async (_name, query, token, error) => {
    const bearer = token === 'issued' ? issue() : token;
    const res = await fetch(`${url}${query}`, {
      headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: false, error });
  });
});

describe('users.info failing during the connect is PRVD-1007 and stores nothing (FM 34)', () => {
  const base = byName('slack-users-info-fails');
  it.each<[string, Scenario['injections']]>([
    ['{ok:false, error} with HTTP 200', base.injections],
    ['HTTP 500', [{ kind: 'provider-fault', endpoint: 'profile', fault: { kind: 'status', status: 500 } }]],
    [
      'a 200 body that is not JSON',
      [{ kind: 'provider-fault', endpoint: 'profile', fault: { kind: 'status', status: 200, body: '<html>' } }],
    ],
    [
      'no answer before the timeout',
      [
        { kind: 'lab', exchangeTimeoutMs: 150 },
        { kind: 'provider-fault', endpoint: 'profile', fault: { kind: 'delay', ms: 600 } },
      ],
    ],
  ])('%s', async (_name, injections) => {
    const deps = await flowDeps();
    const result = await runScenario({ ...base, injections }, {}, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('fails a scenario that expects another code, at the callback', async () => {
    const deps = await flowDeps();
    const result = await runScenario(
      { ...base, expect: { outcome: 'web-error', from: 'callback', code: 'RAPI-1010', state: true } },
      {},
      deps,
    );
    expect(result.ok).toBe(false);
    expect(result.outcome?.failedStep).toBe('callback');
  });

  it('fails slack-no-authed-user without its injection: the connect then succeeds', async () => {
    const deps = await flowDeps();
    const result = await runScenario({ ...byName('slack-no-authed-user'), injections: [] }, {}, deps);
    expect(result.ok).toBe(false);
    expect(result.outcome?.failedStep).toBe('callback');
  });
});

describe('profile schema of the sharing blocks', () => {
  it.each([
    [
      'a sharing call without agent.sharing',
      { agent: { sharing: false, requestServerToken: false }, storage: {} },
      'sharingProfileCall',
    ],
    ['storage.identityField without multipleKey', { storage: { identityField: 'user_id' } }, 'storage.identityField'],
    ['acceptsClientToken without an identity lookup', { acceptsClientToken: true }, 'acceptsClientToken'],
  ])('refuses %s, naming the field', async (_name, patch, field) => {
    const { profiles } = await labData();
    const slack = structuredClone(profiles.get('slack')) as Record<string, unknown>;
    expect(() => parseProfile({ ...slack, ...patch }, 'slack.json')).toThrow(`field "${field}"`);
  });
});

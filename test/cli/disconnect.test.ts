/**
 * PUT /provider-deauth/:provider (contract §1.8, failure mode 39) and `codestream-auth disconnect`: the keys
 * unset for every storage shape (team-less, team, enterprise host, Slack workspace), the identity pulled,
 * the broadcast, each error without a write, and connect + disconnect end to end for every provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { runDisconnect } from '../../src/flows/disconnect/steps.js';
import type { Lab } from '../../src/lab/start-lab.js';
import { defaultApiExtensions } from '../../src/mock-api/features.js';
import type { ApiContext } from '../../src/mock-api/context.js';
import { getPath } from '../../src/util/dotted.js';
import { objectOrEmpty } from '../../src/util/json.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { flowDeps, getManual, labData, startTestLab } from '../helpers/lab.js';

const { profiles } = await labData();
const GHE = 'https://git*example*com';

describe.concurrent('connect + disconnect for every provider', () => {
  it.for([...profiles.keys()])('%s', async (provider, { expect }) => {
    const deps = await flowDeps();
    const { outcome, context } = await runDisconnect({ provider, envs: ['local'] }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(outcome.ok).toBe(true);
    const steps = deps.events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step);
    expect(steps.slice(-3)).toEqual(['deauth-call', 'deauth-broadcast', 'isolation']);
    expect(context.issuedToken).toEqual(expect.any(String));
  });
});

describe('PUT /provider-deauth', () => {
  let lab: Lab;
  let api: ApiContext;
  let url: string;
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['github'], envs: ['local'] });
    api = lab.envs.get('local')!.ctx;
    url = lab.envs.get('local')!.url;
  });
  afterAll(async () => {
    await lab?.close();
  });
  const deauth = (
    provider: string,
    body: unknown,
    headers: Record<string, string> = { authorization: 'Bearer cs-token-dana' },
  ) =>
    getManual(`${url}/provider-deauth/${provider}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const seed = (values: Record<string, unknown>): void => {
    const dana = api.store.users.get('dana')!;
    dana.providerInfo = {};
    dana.providerIdentities = ['slack::U0DANA00001'];
    api.store.updateUser('dana', { $set: values });
  };
  const info = () => api.store.users.get('dana')!.providerInfo;

  it.each([
    ['no Bearer token', 'AUTH-1001', 'github', { teamId: 'acme' }, {}],
    ['no teamId', 'RAPI-1001', 'github', {}, undefined],
    ['an empty teamId', 'RAPI-1001', 'github', { teamId: '' }, undefined],
    ['a teamId that is not a string', 'RAPI-1012', 'github', { teamId: 7 }, undefined],
    ['a host that is not a string', 'RAPI-1012', 'github', { teamId: 'acme', host: ['x'] }, undefined],
  ])('answers %s with 403 %s and writes nothing', async (_name, code, provider, body, headers) => {
    seed({ 'providerInfo.acme.github.accessToken': 'gho_kept' });
    const before = api.store.snapshot();
    const published = api.broadcaster.history.length;
    const res = await deauth(provider, body, headers);
    expect(res.status).toBe(403);
    expect(res.location).toBeNull();
    expect(JSON.parse(res.body)).toMatchObject({ code, message: expect.any(String) });
    expect(api.store.snapshot()).toEqual(before);
    expect(api.broadcaster.history.length).toBe(published);
  });

  it('unsets the team-less and the team key, answers {user: directive} and broadcasts the same directive', async () => {
    seed({
      'providerInfo.github.accessToken': 'gho_sso',
      'providerInfo.acme.github.accessToken': 'gho_team',
      'providerInfo.other.github.accessToken': 'gho_other',
    });
    const res = await deauth('GitHub', { teamId: 'acme' });
    expect(res.status).toBe(200);
    const { user } = JSON.parse(res.body);
    const version = api.store.users.get('dana')!.version;
    expect(user).toMatchObject({
      id: 'dana',
      _id: 'dana',
      $unset: { 'providerInfo.github': true, 'providerInfo.acme.github': true },
      $version: { before: version - 1, after: version },
    });
    expect(Object.keys(user.$unset)).toEqual(['providerInfo.github', 'providerInfo.acme.github']);
    expect(user.$pull).toBeUndefined();
    expect(info()).toEqual({ acme: {}, other: { github: { accessToken: 'gho_other' } } });
    const sent = api.broadcaster.messagesOn('user-dana').at(-1)?.message;
    expect(sent).toMatchObject({ user, requestId: res.headers.get('x-request-id'), messageId: expect.any(String) });
  });

  // Contract §1.10 (provider_deauth_request.js clearCredentials never resolves the provider): 200, the keys
  // built from the path segment, nothing of the user's tokens touched.
  it('answers an unknown provider 200 and unsets only keys built from its name (contract §1.10)', async () => {
    seed({ 'providerInfo.acme.github.accessToken': 'gho_kept' });
    const res = await deauth('blahblah', { teamId: 'acme' });
    expect(res.status).toBe(200);
    const { user } = JSON.parse(res.body);
    expect(Object.keys(user.$unset)).toEqual(['providerInfo.blahblah', 'providerInfo.acme.blahblah']);
    expect(info()).toEqual({ acme: { github: { accessToken: 'gho_kept' } } });
    expect(api.broadcaster.messagesOn('user-dana').at(-1)?.message).toMatchObject({ user });
  });

  it('narrows the keys to .hosts.<starred host>, lowercased, and leaves the other hosts', async () => {
    seed({
      [`providerInfo.acme.github_enterprise.hosts.${GHE}.accessToken`]: 'a',
      'providerInfo.acme.github_enterprise.hosts.https://other*example*com.accessToken': 'b',
    });
    const res = await deauth('github_enterprise', { teamId: 'acme', host: 'https://GIT.example.com' });
    expect(Object.keys(JSON.parse(res.body).user.$unset)).toEqual([
      `providerInfo.github_enterprise.hosts.${GHE}`,
      `providerInfo.acme.github_enterprise.hosts.${GHE}`,
    ]);
    expect(getPath(info(), 'acme.github_enterprise.hosts')).toEqual({
      'https://other*example*com': { accessToken: 'b' },
    });
  });

  it('unsets only the .accessToken keys when hosts are stored and no host is named (FM 39)', async () => {
    seed({
      'providerInfo.acme.github_enterprise.accessToken': 'stray',
      [`providerInfo.acme.github_enterprise.hosts.${GHE}.accessToken`]: 'kept',
    });
    const res = await deauth('github_enterprise', { teamId: 'acme' });
    expect(Object.keys(JSON.parse(res.body).user.$unset)).toEqual([
      'providerInfo.github_enterprise.accessToken',
      'providerInfo.acme.github_enterprise.accessToken',
    ]);
    expect(getPath(info(), 'acme.github_enterprise')).toEqual({ hosts: { [GHE]: { accessToken: 'kept' } } });
  });

  it('removes one Slack workspace with subId and pulls its identity, keeping the other workspace and identities', async () => {
    seed({
      'providerInfo.acme.slack.multiple.T1': { accessToken: 'xoxp-1', data: { user_id: 'U1', team_id: 'T1' } },
      'providerInfo.acme.slack.multiple.T2': { accessToken: 'xoxp-2', data: { user_id: 'U2', team_id: 'T2' } },
      providerIdentities: ['slack::U0DANA00001', 'slack::U1', 'slack::U2'],
    });
    const res = await deauth('slack', { teamId: 'acme', subId: 'T1' });
    const { user } = JSON.parse(res.body);
    expect(Object.keys(user.$unset)).toEqual(['providerInfo.slack.multiple.T1', 'providerInfo.acme.slack.multiple.T1']);
    expect(user.$pull).toEqual({ providerIdentities: 'slack::U1' });
    expect(Object.keys(objectOrEmpty(getPath(info(), 'acme.slack.multiple')))).toEqual(['T2']);
    expect(api.store.users.get('dana')!.providerIdentities).toEqual(['slack::U0DANA00001', 'slack::U2']);
  });

  it('pulls no identity for a workspace that is not stored', async () => {
    seed({});
    const res = await deauth('slack', { teamId: 'acme', subId: 'T9' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).user.$pull).toBeUndefined();
  });
});

describe('the disconnect flow fails when the API does not do its part', () => {
  it('fails at deauth-call when the API has no deauth route', async () => {
    const ext = defaultApiExtensions();
    const lab = await startTestLab({
      providers: ['github'],
      envs: ['local'],
      extensions: { ...ext, routes: (ext.routes ?? []).filter((r) => r.name !== 'registerProviderDeauth') },
    });
    try {
      const deps = await flowDeps();
      const { outcome } = await runDisconnect({ provider: 'github', envs: ['local'] }, deps, lab);
      expect(outcome).toMatchObject({ ok: false, failedStep: 'deauth-call' });
    } finally {
      await lab.close();
    }
  });
});

describe('codestream-auth disconnect', () => {
  it('exits 0 for slack with the deauth steps on stderr and the verdict last on stdout with --json', async () => {
    const fake = createFakeDeps();
    expect(await main(['disconnect', 'slack', '--envs', 'local'], fake.deps)).toBe(0);
    expect(fake.stderr()).toContain('Agent disconnects the provider (PUT /provider-deauth)');
    const json = createFakeDeps();
    expect(
      await main(['disconnect', 'github_enterprise', '--envs', 'local', '--without-host', '--json'], json.deps),
    ).toBe(0);
    expect(JSON.parse(json.stdout().trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      type: 'flow-finished',
      ok: true,
      flow: 'disconnect',
    });
  });

  it.each([
    [['disconnect', 'nope'], 'unknown provider "nope"'],
    [['disconnect', 'github', '--without-host'], '--without-host needs an enterprise provider, not "github"'],
    [['disconnect'], "missing required argument 'provider'"],
  ])('%j is a usage error', async (argv, message) => {
    const fake = createFakeDeps();
    expect(await main(argv, fake.deps)).toBe(2);
    expect(fake.stderr()).toContain(message);
  });
});

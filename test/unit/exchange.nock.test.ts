/**
 * The mock API's server-to-server exchange (src/mock-api/exchange.ts) against recorded shapes of the real
 * providers' answers (fixtures/recorded/*.json): the exact request it sends in each profile's format and
 * client authentication, and how it reads, reshapes and normalises each answer. No test leaves the machine.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exchangeCode, exchangeRefreshToken, type ExchangeInput } from '../../src/mock-api/outbound/exchange.js';
import { fixturesDir } from '../../src/util/paths.js';
import type { ProviderProfile } from '../../src/profiles/profile.js';
import { createClock, labData } from '../helpers/lab.js';

interface Recorded {
  response: { status: number; headers: Record<string, string>; body: unknown };
}
const recorded = async (name: string): Promise<Recorded['response']> =>
  (JSON.parse(await readFile(join(fixturesDir, 'recorded', `${name}.json`), 'utf8')) as Recorded).response;

const HOST = 'https://provider.test';
const clock = createClock();
const opts = { now: clock.now, timeoutMs: 2000 };
const input = (over: Partial<ExchangeInput> = {}): ExchangeInput => ({
  tokenUrl: `${HOST}/token`,
  clientId: 'cs-client',
  clientSecret: 'cs secret&=',
  redirectUri: 'https://auth.example/no-auth/provider-token/p',
  code: 'the-code',
  state: 'local!jwt',
  ...over,
});
let profiles: Map<string, ProviderProfile>;

beforeAll(async () => {
  profiles = (await labData()).profiles;
  nock.disableNetConnect();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]); // every expected call was made
  nock.cleanAll();
});
afterAll(() => {
  nock.enableNetConnect();
});

/** Replies with a recorded answer and keeps what was sent. */
async function answerWith(
  name: string,
  path = '/token',
): Promise<{ sent: { headers: Record<string, string | string[]>; body: string; path: string } }> {
  const r = await recorded(name);
  const out: { sent: { headers: Record<string, string | string[]>; body: string; path: string } } = {
    sent: { headers: {}, body: '', path: '' },
  };
  nock(HOST)
    .post((p) => p.startsWith(path))
    .reply(function (uri, body) {
      out.sent = {
        headers: this.req.headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
        path: uri,
      };
      return [r.status, typeof r.body === 'string' ? r.body : JSON.stringify(r.body), r.headers];
    });
  return out;
}

async function multipart(sent: {
  headers: Record<string, string | string[]>;
  body: string;
}): Promise<Array<[string, string]>> {
  const form = await new Response(sent.body, {
    headers: { 'content-type': String(sent.headers['content-type']) },
  }).formData();
  // The token requests send text fields only; a file would show as its name.
  return [...form].map(([k, v]) => [k, typeof v === 'string' ? v : `[file ${v.name}]`]);
}

describe('GitHub: parameters in the query, no grant_type, answers form-encoded or as a 200 error', () => {
  // GitHub Enterprise Server shares the exchange (codestream-server's github_enterprise_auth.js: noGrantType).
  it.each(['github', 'github_enterprise'])(
    '%s: sends POST /token?redirect_uri&client_id&client_secret&code&state with Accept JSON and no body, and reads a form answer',
    async (id) => {
      const call = await answerWith('github-token-form');
      const { tokenData } = await exchangeCode(profiles.get(id)!, input(), fetch, opts);
      expect(call.sent.path).toBe(
        `/token?redirect_uri=${encodeURIComponent(input().redirectUri)}&client_id=cs-client&client_secret=cs%20secret%26%3D&code=the-code&state=local!jwt`,
      );
      expect(call.sent.headers.accept).toBe('application/json');
      expect(call.sent.body).toBe('');
      expect(tokenData).toEqual({
        accessToken: 'gho_16C7e42F292c6912E7710c838347Ae178B4a',
        data: { scope: 'repo,gist', token_type: 'bearer' },
      });
    },
  );

  it('throws on a 200 answer that carries an error, naming it', async () => {
    await answerWith('github-token-error-200');
    await expect(exchangeCode(profiles.get('github')!, input(), fetch, opts)).rejects.toThrow(
      'token endpoint answered 200 with error "bad_verification_code"',
    );
  });
});

describe('Slack v2: multipart form, ok envelope, the answer reshaped (contract §3.2)', () => {
  it('takes the user token from authed_user and keeps the bot token as the server token', async () => {
    const call = await answerWith('slack-oauth-v2-access');
    const { tokenData, serverToken } = await exchangeCode(profiles.get('slack')!, input(), fetch, opts);
    expect(await multipart(call.sent)).toEqual([
      ['redirect_uri', input().redirectUri],
      ['grant_type', 'authorization_code'],
      ['client_id', 'cs-client'],
      ['client_secret', 'cs secret&='],
      ['code', 'the-code'],
      ['state', 'local!jwt'],
    ]);
    expect(tokenData.accessToken).toBe('xoxp-1234');
    expect(tokenData.data).toMatchObject({
      user_id: 'U1234',
      team_id: 'T9TK3CUKW',
      team_name: 'Slack Softball Team',
      scope: 'chat:write',
    });
    expect(serverToken?.accessToken).toBe('xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy');
    expect(serverToken?.data).toMatchObject({
      scope: 'commands,incoming-webhook',
      team_id: 'T9TK3CUKW',
      bot_user_id: 'U0KRQLJ9H',
    });
    expect(serverToken?.data).not.toHaveProperty('user_id');
    expect(serverToken?.data).not.toHaveProperty('authed_user');
  });

  it('has no server token when only user scopes were asked for', async () => {
    await answerWith('slack-oauth-v2-user-only');
    const { tokenData, serverToken } = await exchangeCode(profiles.get('slack')!, input(), fetch, opts);
    expect(tokenData.accessToken).toBe('xoxp-5678');
    expect(serverToken).toBeUndefined();
  });

  it('throws on ok:false, naming the Slack error', async () => {
    await answerWith('slack-oauth-v2-error');
    await expect(exchangeCode(profiles.get('slack')!, input(), fetch, opts)).rejects.toThrow('error "invalid_code"');
  });
});

describe('Atlassian: a JSON body, rotating refresh tokens, a 403 for a refused refresh', () => {
  it('posts JSON with JSON content type and computes expiresAt = now + (expires_in − 5) s', async () => {
    const call = await answerWith('atlassian-token');
    const { tokenData } = await exchangeCode(profiles.get('jira')!, input(), fetch, opts);
    expect(call.sent.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call.sent.body)).toEqual({
      redirect_uri: input().redirectUri,
      grant_type: 'authorization_code',
      client_id: 'cs-client',
      client_secret: 'cs secret&=',
      code: 'the-code',
      state: 'local!jwt',
    });
    expect(tokenData).toMatchObject({
      accessToken: expect.stringMatching(/^eyJ/),
      refreshToken: expect.stringMatching(/^eyJ/),
      expiresAt: clock.now() + 3595_000,
    });
  });

  it('sends grant_type=refresh_token with the refresh token, and throws on the recorded 403 invalid_grant', async () => {
    const call = await answerWith('atlassian-refresh-403');
    const refresh = exchangeRefreshToken(
      profiles.get('jira')!,
      { ...input(), refreshToken: 'used-refresh' },
      fetch,
      opts,
    );
    await expect(refresh).rejects.toThrow('token endpoint answered 403 with error "invalid_grant"');
    expect(JSON.parse(call.sent.body)).toEqual({
      redirect_uri: input().redirectUri,
      grant_type: 'refresh_token',
      client_id: 'cs-client',
      client_secret: 'cs secret&=',
      refresh_token: 'used-refresh',
    });
  });
});

describe('Bitbucket: HTTP Basic client authentication, "scopes" in the answer', () => {
  it('authenticates with Basic base64(id:secret), sends no secret in the form, keeps "scopes" and drops "state" from data', async () => {
    const call = await answerWith('bitbucket-token');
    const { tokenData } = await exchangeCode(profiles.get('bitbucket')!, input(), fetch, opts);
    expect(call.sent.headers.authorization).toBe(`Basic ${Buffer.from('cs-client:cs secret&=').toString('base64')}`);
    expect((await multipart(call.sent)).map(([k]) => k)).toEqual(['redirect_uri', 'grant_type', 'code', 'state']);
    expect(tokenData).toMatchObject({
      refreshToken: 'Xe3h7kq9LmNoPqRs',
      data: { scopes: 'account repository issue:write', token_type: 'bearer', expires_in: 7200 },
    });
    expect(tokenData.data).not.toHaveProperty('state');
  });
});

describe('Azure DevOps: the jwt-bearer assertion exchange', () => {
  it('sends the code as "assertion" and the secret as client_assertion, and reads expires_in given as a string', async () => {
    const call = await answerWith('azure-devops-token');
    const { tokenData } = await exchangeCode(profiles.get('azuredevops')!, input(), fetch, opts);
    expect(await multipart(call.sent)).toEqual([
      ['redirect_uri', input().redirectUri],
      ['grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
      ['client_id', 'cs-client'],
      ['client_assertion', 'cs secret&='],
      ['client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
      ['assertion', 'the-code'],
      ['state', 'local!jwt'],
    ]);
    expect(tokenData).toMatchObject({ accessToken: expect.stringMatching(/^eyJ/), expiresAt: clock.now() + 3594_000 });
  });

  it('refreshes with grant_type=refresh_token and the refresh token as "assertion"', async () => {
    const call = await answerWith('azure-devops-token');
    await exchangeRefreshToken(profiles.get('azuredevops')!, { ...input(), refreshToken: 'old-refresh' }, fetch, opts);
    const sent = await multipart(call.sent);
    expect(sent).toContainEqual(['grant_type', 'refresh_token']);
    expect(sent).toContainEqual(['assertion', 'old-refresh']);
  });
});

describe('answers that are not tokens', () => {
  it.each([
    ['an HTML error page', 502, '<html>Bad gateway</html>', { 'content-type': 'text/html' }, 'neither JSON nor a form'],
    ['a JSON array', 200, '[]', { 'content-type': 'application/json' }, 'not an object'],
    ['a 500 without an error field', 500, '{}', { 'content-type': 'application/json' }, 'answered 500'],
  ])('throws on %s', async (_name, status, body, headers, message) => {
    nock(HOST)
      .post((p) => p.startsWith('/token'))
      .reply(status, body, headers);
    await expect(exchangeCode(profiles.get('gitlab')!, input(), fetch, opts)).rejects.toThrow(message);
  });
});

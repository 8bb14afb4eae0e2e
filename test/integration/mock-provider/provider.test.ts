/**
 * The mock GitHub built from fixtures/providers/github.json: authorize (RFC 6749 §4.1.1, §4.1.2.1) and the
 * token endpoint with GitHub's quirks (oauth-rules-and-quirks §4), single-use codes, expiry and binding.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockProvider, type RunningProvider } from '../../../src/mock-provider/index.js';
import { createClock, getManual, labData } from '../../helpers/lab.js';

const CALLBACK = 'http://127.0.0.1:5999/no-auth/provider-token/github';
const OTHER_CALLBACK = 'http://127.0.0.1:5999/no-auth/provider-token/other';
const CLIENT = { clientId: 'cs-github-client', clientSecret: 'cs-github-secret', redirectUris: [CALLBACK] };
const SECOND = { clientId: 'second-client', clientSecret: 'second-secret', redirectUris: [CALLBACK, OTHER_CALLBACK] };
const STATE = 'local!eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoicGF1dGgifQ.c2ln';

const clock = createClock();
let github: RunningProvider;
beforeAll(async () => {
  const { profiles } = await labData();
  const profile = profiles.get('github');
  if (!profile) throw new Error('fixtures have no github profile');
  github = await startMockProvider({ profile, clients: [CLIENT, SECOND], now: clock.now });
});
afterAll(async () => {
  await github?.close();
});
beforeEach(() => {
  github.control.reset();
  github.control.setConsent('auto');
});

type Params = Record<string, string>;
const authorizeParams = (over: Params = {}): Params => ({
  client_id: CLIENT.clientId,
  redirect_uri: CALLBACK,
  response_type: 'code',
  state: STATE,
  scope: 'repo,read:user',
  ...over,
});

function authorize(params: Params) {
  return getManual(`${github.url}/login/oauth/authorize?${new URLSearchParams(params).toString()}`);
}

/** Runs authorize and returns the issued code. */
async function issueCode(over: Params = {}): Promise<string> {
  const res = await authorize(authorizeParams(over));
  expect(res.status).toBe(302);
  const code = new URL(res.location ?? '').searchParams.get('code');
  if (!code) throw new Error(`authorize gave no code: ${res.location}`);
  return code;
}

/** The exchange as the mock API sends it for GitHub: parameters in the query (contract §3.1 format "query"). */
function exchange(params: Params, accept = 'application/json') {
  return getManual(`${github.url}/login/oauth/access_token?${new URLSearchParams(params).toString()}`, {
    method: 'POST',
    headers: { accept },
  });
}
const exchangeParams = (code: string, over: Params = {}): Params => ({
  redirect_uri: CALLBACK,
  client_id: CLIENT.clientId,
  client_secret: CLIENT.clientSecret,
  code,
  state: STATE,
  ...over,
});

describe('authorize: problems with the client or redirect_uri get a page, never a Location (RFC 6749 §4.1.2.1)', () => {
  it.each([
    ['no client_id', { client_id: '' }, 'invalid_request'],
    ['an unknown client_id', { client_id: 'nope' }, 'invalid_client'],
    ['no redirect_uri', { redirect_uri: '' }, 'invalid_request'],
    [
      'a redirect_uri on another path',
      { redirect_uri: 'http://127.0.0.1:5999/no-auth/provider-token/gitlab' },
      'invalid_request',
    ],
    [
      'a redirect_uri on another port',
      { redirect_uri: 'http://127.0.0.1:6000/no-auth/provider-token/github' },
      'invalid_request',
    ],
    ['a redirect_uri with a trailing slash', { redirect_uri: `${CALLBACK}/` }, 'invalid_request'],
    [
      'a redirect_uri with an extra query',
      { redirect_uri: `${CALLBACK}?next=https://evil.example` },
      'invalid_request',
    ],
    ['a redirect_uri elsewhere', { redirect_uri: 'https://evil.example/cb' }, 'invalid_request'],
    ['a redirect_uri registered for another client only', { redirect_uri: OTHER_CALLBACK }, 'invalid_request'],
    ['a redirect_uri that is not a URL', { redirect_uri: '%E0%A4%A' }, 'invalid_request'],
  ])('shows an error page for %s', async (_name, over, error) => {
    const params = Object.fromEntries(Object.entries(authorizeParams(over)).filter(([, v]) => v !== ''));
    const res = await authorize(params);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.body).toContain(`GitHub: ${error}`);
    expect(github.control.grants.codes.size).toBe(0);
  });

  it('shows a page for a query whose percent-encoding is invalid', async () => {
    const res = await getManual(
      `${github.url}/login/oauth/authorize?client_id=%E0%A4%A&redirect_uri=${encodeURIComponent(CALLBACK)}`,
    );
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });
});

describe('authorize: once client and redirect_uri are trusted, errors go back to it with the state', () => {
  it.each([
    ['a wrong response_type', { response_type: 'token' }, 'unsupported_response_type'],
    ['no response_type', { response_type: '' }, 'unsupported_response_type'],
    ['a plain PKCE method', { code_challenge: 'abc', code_challenge_method: 'plain' }, 'invalid_request'],
  ])('redirects %s with error and the unchanged state', async (_name, over, error) => {
    const params = Object.fromEntries(Object.entries(authorizeParams(over)).filter(([, v]) => v !== ''));
    const res = await authorize(params);
    expect(res.status).toBe(302);
    const location = new URL(res.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe(STATE);
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('redirects a denied consent with access_denied', async () => {
    github.control.failNext('authorize', { kind: 'deny' });
    const location = new URL((await authorize(authorizeParams())).location ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe(STATE);
  });
});

describe('authorize: approval', () => {
  it.each([
    ['a CodeStream state', STATE],
    ['a state with a host segment', `${STATE}!https://git.acme.example`],
    ['a state with characters that need encoding', 'a b+c%d&e=f?g#h/é!'],
  ])('auto-approves with a code and %s returned unchanged', async (_name, state) => {
    const res = await authorize(authorizeParams({ state }));
    expect(res.status).toBe(302);
    const location = new URL(res.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect([...location.searchParams.keys()]).toEqual(['code', 'state']);
    expect(location.searchParams.get('state')).toBe(state);
    const code = location.searchParams.get('code') ?? '';
    expect(github.control.grants.codes.get(code)).toMatchObject({
      clientId: CLIENT.clientId,
      redirectUri: CALLBACK,
      state,
      used: false,
    });
  });

  it('omits state when none was sent', async () => {
    const { state: _omit, ...params } = authorizeParams();
    const location = new URL((await authorize(params)).location ?? '');
    expect([...location.searchParams.keys()]).toEqual(['code']);
  });

  it('shows a consent page with Approve and Deny in page mode, issuing no code yet', async () => {
    github.control.setConsent('page');
    const res = await authorize(authorizeParams());
    expect(res.status).toBe(200);
    expect(res.body).toContain('value="approve"');
    expect(res.body).toContain('value="deny"');
    expect(github.control.grants.codes.size).toBe(0);
  });
});

describe('token endpoint: GitHub quirks', () => {
  it('answers form-encoded unless Accept asks for JSON, always with no-store', async () => {
    const form = await exchange(exchangeParams(await issueCode()), '*/*');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(form.headers.get('cache-control')).toBe('no-store');
    const fields = new URLSearchParams(form.body);
    expect(fields.get('access_token')).toMatch(/^gho_[0-9a-f]{40}$/);
    expect(fields.get('token_type')).toBe('bearer');
    expect(fields.get('scope')).toBe('repo,read:user,user:email,notifications,read:org');

    const json = await exchange(exchangeParams(await issueCode()), 'application/json');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(json.body)).toMatchObject({ access_token: expect.stringMatching(/^gho_/), token_type: 'bearer' });
  });

  it('accepts the parameters in a form body too', async () => {
    const code = await issueCode();
    const res = await getManual(`${github.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(exchangeParams(code)).toString(),
    });
    expect(JSON.parse(res.body)).toHaveProperty('access_token');
  });

  it.each([
    ['an unknown code', async () => exchangeParams('not-a-code'), 'bad_verification_code'],
    ['no code', async () => exchangeParams('', { code: '' }), 'invalid_request'],
    [
      'a wrong client secret',
      async () => exchangeParams(await issueCode(), { client_secret: 'wrong' }),
      'incorrect_client_credentials',
    ],
    [
      'an unknown client',
      async () => exchangeParams(await issueCode(), { client_id: 'nope' }),
      'incorrect_client_credentials',
    ],
    [
      'no client credentials',
      async () => ({ code: await issueCode(), redirect_uri: CALLBACK }),
      'incorrect_client_credentials',
    ],
    [
      'another redirect_uri than at authorize',
      async () => exchangeParams(await issueCode(), { redirect_uri: OTHER_CALLBACK }),
      'redirect_uri_mismatch',
    ],
    [
      'no redirect_uri although authorize had one',
      async () => exchangeParams(await issueCode(), { redirect_uri: '' }),
      'redirect_uri_mismatch',
    ],
    [
      'a code issued to another client (bound to client_id)',
      async () => exchangeParams(await issueCode(), { client_id: SECOND.clientId, client_secret: SECOND.clientSecret }),
      'bad_verification_code',
    ],
    [
      'an unsupported grant_type',
      async () => exchangeParams(await issueCode(), { grant_type: 'password' }),
      'unsupported_grant_type',
    ],
  ])('answers %s with HTTP 200 and error %s, in both encodings', async (_name, make, error) => {
    const params = Object.fromEntries(Object.entries(await make()).filter(([, v]) => v !== ''));
    const json = await exchange(params, 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(json.body)).toMatchObject({ error, error_description: expect.any(String) });
    const form = await exchange(params, '*/*');
    expect(form.status).toBe(200);
    expect(new URLSearchParams(form.body).get('error')).toBe(error);
    expect(github.control.issued).toEqual([]);
  });

  it('never echoes the code in an error', async () => {
    const res = await exchange(exchangeParams('secret-looking-code-123'));
    expect(res.body).not.toContain('secret-looking-code-123');
  });
});

describe("token endpoint: bad bodies are OAuth errors in GitHub's format, never a 500", () => {
  it.each([
    ['a JSON body that does not parse', 'application/json', '{"code":'],
    ['a JSON body that is an array', 'application/json', '["code"]'],
    ['a JSON body that is null', 'application/json', 'null'],
    ['a multipart body without a boundary', 'multipart/form-data', 'garbage'],
  ])('answers %s with 200 invalid_request', async (_name, type, body) => {
    const res = await getManual(`${github.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': type },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
  });

  it.each([
    ['client credentials that are not valid %-encoding', `${Buffer.from('%E0%A4%A:secret').toString('base64')}`],
    ['Basic credentials without a colon', Buffer.from('cs-github-client').toString('base64')],
    ['Basic credentials that are not base64', '!!!'],
  ])('answers %s in a Basic header with 200 incorrect_client_credentials', async (_name, credentials) => {
    const { client_id: _id, client_secret: _secret, ...params } = exchangeParams(await issueCode());
    const res = await getManual(`${github.url}/login/oauth/access_token?${new URLSearchParams(params).toString()}`, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `Basic ${credentials}` },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'incorrect_client_credentials' });
  });

  it('answers a body over 64 KiB with 200 invalid_request', async () => {
    const body = new URLSearchParams({ ...exchangeParams('x'), pad: 'x'.repeat(70 * 1024) }).toString();
    const res = await getManual(`${github.url}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
  });
});

describe('token endpoint: codes are single use, short-lived and bound (RFC 6749 §4.1.2, §4.1.3)', () => {
  it('refuses a second use and revokes the token issued on the first', async () => {
    const code = await issueCode();
    const first = JSON.parse((await exchange(exchangeParams(code))).body) as { access_token: string };
    expect(github.control.grants.isActive(first.access_token)).toBe(true);
    const second = await exchange(exchangeParams(code));
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toMatchObject({ error: 'bad_verification_code' });
    expect(github.control.grants.isActive(first.access_token)).toBe(false);
    expect(github.control.issued).toHaveLength(1);
  });

  it('accepts a code 599 s after it was issued', async () => {
    const code = await issueCode();
    clock.advance(599_000);
    expect(JSON.parse((await exchange(exchangeParams(code))).body)).toHaveProperty('access_token');
  });

  it('refuses a code 10 minutes and 1 ms after it was issued', async () => {
    const code = await issueCode();
    clock.advance(600_001);
    expect(JSON.parse((await exchange(exchangeParams(code))).body)).toMatchObject({ error: 'bad_verification_code' });
    expect(github.control.issued).toEqual([]);
  });

  it('still accepts the right client after a wrong client tried the code', async () => {
    const code = await issueCode();
    await exchange(exchangeParams(code, { client_id: SECOND.clientId, client_secret: SECOND.clientSecret }));
    expect(JSON.parse((await exchange(exchangeParams(code))).body)).toHaveProperty('access_token');
  });
});

describe('journal and unknown routes', () => {
  it('journals every request with its endpoint, query, body and status', async () => {
    const code = await issueCode();
    await exchange(exchangeParams(code));
    await getManual(`${github.url}/nope?x=1`);
    const entries = github.control.requests.map((r) => ({
      endpoint: r.endpoint,
      method: r.method,
      path: r.path,
      status: r.status,
      format: r.format,
    }));
    expect(entries).toEqual([
      { endpoint: 'authorize', method: 'GET', path: '/login/oauth/authorize', status: 302, format: 'none' },
      { endpoint: 'token', method: 'POST', path: '/login/oauth/access_token', status: 200, format: 'query' },
      { endpoint: 'unknown', method: 'GET', path: '/nope', status: 404, format: 'none' },
    ]);
    expect(github.control.requests[1]?.query).toMatchObject({
      code,
      client_id: CLIENT.clientId,
      redirect_uri: CALLBACK,
    });
    expect(github.control.requests[1]?.headers.accept).toBe('application/json');
  });

  it.each([
    ['GET', '/login/oauth/access_token'],
    ['POST', '/login/oauth/authorize'],
    ['DELETE', '/user'],
    ['GET', '/'],
  ])('answers %s %s with a JSON 404 naming method and path', async (method, path) => {
    const res = await getManual(`${github.url}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({
      error: 'not_found',
      error_description: expect.stringContaining(`${method} ${path}`),
    });
  });
});

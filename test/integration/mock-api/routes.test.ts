/**
 * Every mock CS API route's contract errors (contract §1, failure modes 1–11), on a real lab.
 * Each bad-input request goes through `bad()`: never a 500, the API still answers, the store is unchanged.
 */
import fc from 'fast-check';
import { SignJWT, decodeJwt } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { Store } from '../../../src/mock-api/store.js';
import { frameText } from '../../../src/util/ws-frame.js';
import { createClock, getManual, labData, startTestLab } from '../../helpers/lab.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DANA = { authorization: 'Bearer cs-token-dana' };

interface Env {
  lab: Lab;
  api: string;
  store: Store;
  clock: ReturnType<typeof createClock>;
}

async function startEnv(overrides: Parameters<typeof startTestLab>[0] = {}): Promise<Env> {
  const clock = createClock();
  const lab = await startTestLab({ now: clock.now, ...overrides });
  const api = lab.envs.get('local');
  if (!api) throw new Error('the test lab has no "local" environment');
  return { lab, api: api.url, store: api.ctx.store, clock };
}

/** One bad-input request: never a 500, the API keeps answering, and nothing was written. */
async function bad(env: Env, path: string, init: RequestInit = {}) {
  const before = env.store.snapshot();
  const res = await getManual(`${env.api}${path}`, init);
  expect(res.status, `${path.slice(0, 80)} answered ${res.status}`).toBeLessThan(500);
  expect(res.body).not.toMatch(/\bat .+\.(?:js|ts):\d+/); // no stack trace in any body
  const ping = await fetch(`${env.api}/web/error?code=PING`);
  expect(ping.status).toBe(200);
  expect(env.store.snapshot()).toEqual(before);
  return res;
}

/** A 302 to /web/error with exactly this query. */
function expectErrorRedirect(res: Awaited<ReturnType<typeof bad>>, query: string): void {
  expect(res.status).toBe(302);
  expect(res.location).toBe(`/web/error?${query}`);
  expect(res.headers.get('x-request-id')).toMatch(UUID);
}

/** A JSON 403 {code, message, ...} (contract §1). */
async function expectJson403(res: Awaited<ReturnType<typeof bad>>, body: Record<string, unknown>): Promise<void> {
  expect(res.status).toBe(403);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('x-request-id')).toMatch(UUID);
  expect(JSON.parse(res.body)).toMatchObject({ message: expect.any(String), ...body });
}

async function mintPauth(env: Env, query = 'teamId=acme'): Promise<string> {
  const res = await fetch(`${env.api}/provider-auth-code?${query}`, { headers: DANA });
  expect(res.status).toBe(200);
  return ((await res.json()) as { code: string }).code;
}

/** A token signed like the API's own (contract §2.1) but with fields the test chooses. */
async function signAs(
  env: Env,
  fields: Record<string, unknown>,
  { type = 'pauth', secret = env.lab.config.secrets.auth, lifetimeS = 600 } = {},
): Promise<string> {
  const iat = Math.floor(env.clock.now() / 1000);
  return new SignJWT({ ...fields, iss: 'CodeStream', alg: 'HS256', type })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetimeS)
    .sign(new TextEncoder().encode(secret));
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
// The API writes error query values with encodeURIComponent; a state of env!jwt needs no escaping.
const callback = (query: string, provider = 'github') => `/no-auth/provider-token/${provider}?${query}`;

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(async () => {
  await env?.lab.close();
});

describe('GET /provider-auth-code (contract §1.2)', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown Bearer token', { authorization: 'Bearer not-a-token' }],
    ['a Basic header', { authorization: 'Basic Y3MtdG9rZW4tZGFuYQ==' }],
    ['"Bearer" without a token', { authorization: 'Bearer ' }],
  ])('answers 403 AUTH-1001 for %s', async (_name, headers) => {
    await expectJson403(await bad(env, '/provider-auth-code?teamId=acme', { headers }), { code: 'AUTH-1001' });
  });

  it.each([
    ['no teamId', ''],
    ['an empty teamId', 'teamId='],
    ['teamId in bracket syntax', 'teamId[a]=acme'],
  ])('answers 403 RAPI-1001 with info "teamId" for %s', async (_name, query) => {
    await expectJson403(await bad(env, `/provider-auth-code?${query}`, { headers: DANA }), {
      code: 'RAPI-1001',
      info: 'teamId',
    });
  });

  it('answers 403 RAPI-1012 (wrong type, contract §1) with info "teamId" for a repeated teamId', async () => {
    await expectJson403(await bad(env, '/provider-auth-code?teamId=acme&teamId=acme', { headers: DANA }), {
      code: 'RAPI-1012',
      info: 'teamId',
    });
  });

  it.each([
    ['a team the user is not on', 'other'],
    ['a team that does not exist', 'team-nope'],
    ['a team id that is not valid %-encoding', '%E0%A4%A'],
  ])('answers 403 RAPI-1009 for %s', async (_name, teamId) => {
    const res = await bad(env, `/provider-auth-code?teamId=${teamId}`, { headers: DANA });
    await expectJson403(res, { code: 'RAPI-1009' });
  });

  it.each([
    ['no expiresIn: 600 s', '', 600],
    ['a shorter expiresIn (ms): 60 s', '&expiresIn=60000', 60],
    ['an expiresIn just over 10 min: 600 s', '&expiresIn=600001', 600],
    ['a huge expiresIn: 600 s', '&expiresIn=1e20', 600],
    ['a negative expiresIn: 600 s', '&expiresIn=-5000', 600],
    ['a non-numeric expiresIn: 600 s', '&expiresIn=soon', 600],
  ])('mints a pauth whose lifetime only shortens, %s', async (_name, extra, lifetime) => {
    const claims = decodeJwt(await mintPauth(env, `teamId=acme${extra}`));
    expect(claims).toMatchObject({ type: 'pauth', userId: 'dana', teamId: 'acme', iss: 'CodeStream', alg: 'HS256' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(lifetime);
    expect(claims.sm).toBeUndefined();
  });

  it('sets sm when sharing is present', async () => {
    expect(decodeJwt(await mintPauth(env, 'teamId=acme&sharing=true')).sm).toBe(true);
  });
});

describe('GET /users/me', () => {
  it.each([[{}], [{ authorization: 'Bearer nope' }]])(
    'answers 403 AUTH-1001 without a valid Bearer token (%j)',
    async (headers) => {
      await expectJson403(await bad(env, '/users/me', { headers }), { code: 'AUTH-1001' });
    },
  );

  it('returns the me-object without server-only tokens', async () => {
    const res = await fetch(`${env.api}/users/me`, { headers: DANA });
    const body = (await res.json()) as { user: Record<string, unknown> };
    expect(body.user).toMatchObject({ id: 'dana', teamIds: ['acme'] });
    expect(body.user).not.toHaveProperty('accessToken');
    expect(body.user).not.toHaveProperty('broadcasterToken');
  });
});

describe.each(['/no-auth/provider-auth', '/web/provider-auth'])(
  'GET %s/:provider in connect mode (contract §1.3)',
  (route) => {
    it('redirects an unknown provider to exactly /web/error?code=PRVD-1000&provider=blahblah', async () => {
      expectErrorRedirect(
        await bad(env, `${route}/blahblah?code=${await mintPauth(env)}`),
        'code=PRVD-1000&provider=blahblah',
      );
    });

    it('lowercases the provider segment before resolving it', async () => {
      expectErrorRedirect(await bad(env, `${route}/BlahBlah?code=x`), 'code=PRVD-1000&provider=blahblah');
    });

    it.each([
      ['an empty code', 'code=', 'RAPI-1001'],
      ['a repeated code (wrong type, contract §1)', 'code=a&code=b', 'RAPI-1012'],
    ])('redirects %s to %s', async (_name, query, code) => {
      expectErrorRedirect(await bad(env, `${route}/github?${query}`), `code=${code}&provider=github`);
    });

    it('redirects a pauth of the wrong type to AUTH-1002', async () => {
      const token = await signAs(env, { userId: 'dana', teamId: 'acme' }, { type: 'xyz' });
      expectErrorRedirect(await bad(env, `${route}/github?code=${token}`), 'code=AUTH-1002&provider=github');
    });

    it.each([
      ['a garbage word', 'garbage'],
      ['three garbage segments', 'a.b.c'],
      ['invalid %-encoding', '%E0%A4%A'],
    ])(
      'redirects %s as code to code=undefined, as the real TypeError does (contract §1.3 step 4)',
      async (_name, code) => {
        expectErrorRedirect(await bad(env, `${route}/github?code=${code}`), 'code=undefined&provider=github');
      },
    );

    it('never verifies the code: a pauth signed with another secret still goes to the provider', async () => {
      const token = await signAs(env, { userId: 'dana', teamId: 'acme' }, { secret: 'not-the-secret' });
      const res = await bad(env, `${route}/github?code=${token}`);
      expect(res.status).toBe(302);
      expect(res.location).toMatch(
        new RegExp(`^${env.lab.providers.get('github')?.url}/login/oauth/authorize\\?client_id=`),
      );
    });
  },
);

// On /web/provider-auth these two are the SSO start once sign-up is plugged in (features.ts): no `code` key.
it.each([
  ['without any code', ''],
  ['with code in bracket syntax (a different parameter to the simple query parser)', '?code[a]=1'],
])('redirects /no-auth/provider-auth %s to RAPI-1001', async (_name, query) => {
  expectErrorRedirect(await bad(env, `/no-auth/provider-auth/github${query}`), 'code=RAPI-1001&provider=github');
});

describe('a provider that has a profile but no client configured', () => {
  let noClient: Env;
  beforeAll(async () => {
    const { profiles } = await labData();
    const github = profiles.get('github');
    if (!github) throw new Error('fixtures have no github profile');
    noClient = await startEnv({
      profiles: new Map([...profiles, ['gitlab', { ...github, id: 'gitlab', displayName: 'GitLab' }]]),
    });
  });
  afterAll(async () => {
    await noClient?.lab.close();
  });

  it.each(['/no-auth/provider-auth', '/web/provider-auth'])('%s redirects to PRVD-1009', async (route) => {
    expectErrorRedirect(
      await bad(noClient, `${route}/gitlab?code=${await mintPauth(noClient)}`),
      'code=PRVD-1009&provider=gitlab',
    );
  });
});

describe('GET /no-auth/provider-token/:provider, the callback (contract §1.5)', () => {
  it('redirects an unknown provider to PRVD-1000, keeping the state', async () => {
    const state = `local!${await mintPauth(env)}`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc' }), 'blahblah')),
      `state=${state}&code=PRVD-1000&provider=blahblah`,
    );
  });

  it.each([
    ['no state', 'code=abc'],
    ['an empty state', 'state=&code=abc'],
    ['state in bracket syntax', 'state[a]=1&code=abc'],
  ])('redirects %s to state=0 and RAPI-1001', async (_name, query) => {
    expectErrorRedirect(await bad(env, callback(query)), 'state=0&code=RAPI-1001&provider=github');
  });

  it('redirects a repeated state to state=0 and RAPI-1012 (wrong type, contract §1)', async () => {
    expectErrorRedirect(
      await bad(env, callback('state=local!a&state=local!b&code=abc')),
      'state=0&code=RAPI-1012&provider=github',
    );
  });

  // Contract §1.10: code is optional (provider_token_request.js requireAndAllow); the exchange gets '' and fails,
  // which is updateAuth. The real provider_token/no_code_test.js is the New Relic login's only.
  it('sends a valid state without a code to the exchange, which fails: RAPI-1010 (contract §1.10)', async () => {
    const state = `local!${await mintPauth(env)}`;
    expectErrorRedirect(await bad(env, callback(q({ state }))), `state=${state}&code=RAPI-1010&provider=github`);
  });

  // Contract §1.10: provider-token reads segments 1 to 3 only; a fifth is ignored, never an error.
  it('ignores state segments after the fourth: the exchange runs and fails on its code, RAPI-1010', async () => {
    const state = `local!${await mintPauth(env)}!!!extra`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc' }))),
      `state=${state}&code=RAPI-1010&provider=github`,
    );
  });

  it.each([
    ['garbage', async () => 'xyz'],
    ['an env with a garbage JWT', async () => 'local!xyz'],
    ['an env with an empty JWT', async () => 'local!'],
    ['a tampered signature', async () => `local!${(await mintPauth(env)).slice(0, -3)}AAA`],
    [
      'a pauth signed with another secret',
      async () => `local!${await signAs(env, { userId: 'dana', teamId: 'acme' }, { secret: 'other' })}`,
    ],
    [
      'a pauth re-signed with type xyz',
      async () => `local!${await signAs(env, { userId: 'dana', teamId: 'acme' }, { type: 'xyz' })}`,
    ],
    [
      'an unsigned (alg none) pauth',
      async () => `local!${unsigned({ userId: 'dana', teamId: 'acme', type: 'pauth' })}`,
    ],
  ])('redirects a state that is %s to AUTH-1002', async (_name, makeState) => {
    const state = await makeState();
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc' }))),
      // Contract §1.10: the state is interpolated as received, not percent-encoded.
      `state=${state}&code=AUTH-1002&provider=github`,
    );
  });

  // Contract §1.10 (provider_token_request.js builds `/web/error?state=${state}&…`): an enterprise state keeps
  // its raw "!https://host", where percent-encoding would write https%3A%2F%2F.
  it('puts the state into /web/error as received, an enterprise host unencoded (contract §1.10)', async () => {
    const state = `local!${(await mintPauth(env)).slice(0, -3)}AAA!https://git.example.com`;
    const res = await bad(env, callback(q({ state, code: 'abc' })));
    expect(res.location).toBe(`/web/error?state=${state}&code=AUTH-1002&provider=github`);
    expect(res.location).toContain('!https://git.example.com&code=');
  });

  it('redirects a state whose %-encoding is invalid to AUTH-1002, never a 500', async () => {
    const res = await bad(env, callback('state=%E0%A4%A&code=abc'));
    expect(res.status).toBe(302);
    expect(res.location).toMatch(/^\/web\/error\?state=[^&]+&code=AUTH-1002&provider=github$/);
  });

  it.each([
    ['a user that does not exist', 'RAPI-1003', { userId: 'user-ghost', teamId: 'acme' }],
    ['a team of another user', 'RAPI-1010', { userId: 'dana', teamId: 'other' }],
    // Contract §1.5 step 6: the membership check comes first, and no user is on a team that does not exist.
    ['a team that does not exist', 'RAPI-1010', { userId: 'dana', teamId: 'team-nope' }],
    ['ic (an invite code) in the payload', 'RAPI-1016', { userId: 'dana', teamId: 'acme', ic: 'x' }],
  ])('redirects a pauth naming %s to %s', async (_name, code, fields) => {
    const state = `local!${await signAs(env, fields)}`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc' }))),
      `state=${state}&code=${code}&provider=github`,
    );
  });

  it.each(['invite_code', 'repo_info'])('redirects a callback carrying %s to RAPI-1016', async (param) => {
    const state = `local!${await mintPauth(env)}`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc', [param]: 'x' }))),
      `state=${state}&code=RAPI-1016&provider=github`,
    );
  });

  it('redirects a provider-sent error=access_denied with the raw error as code (github supports sign-up)', async () => {
    const state = `local!${await mintPauth(env)}`;
    const res = await bad(
      env,
      callback(q({ error: 'access_denied', error_description: 'The user has denied your application access.', state })),
    );
    expectErrorRedirect(res, `state=${state}&code=access_denied&provider=github`);
  });

  it('redirects an exchange with an unknown code to RAPI-1010 and stores nothing', async () => {
    const state = `local!${await mintPauth(env)}`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'not-issued' }))),
      `state=${state}&code=RAPI-1010&provider=github`,
    );
  });
});

describe('an expired pauth (contract failure modes 3 and 5), with an injected clock', () => {
  let expiry: Env;
  beforeAll(async () => {
    expiry = await startEnv();
  });
  afterAll(async () => {
    await expiry?.lab.close();
  });

  it('still redirects to the provider at the start, then fails the callback with AUTH-1005', async () => {
    const pauth = await mintPauth(expiry);
    expiry.clock.advance(601_000);
    // provider-auth only decodes the code (contract §1.3 step 4): no expiry check there.
    const start = await bad(expiry, `/no-auth/provider-auth/github?code=${pauth}`);
    expect(start.location).toMatch(/\/login\/oauth\/authorize\?/);
    const state = `local!${pauth}`;
    expectErrorRedirect(
      await bad(expiry, callback(q({ state, code: 'abc' }))),
      `state=${state}&code=AUTH-1005&provider=github`,
    );
  });

  it('accepts the same pauth one second before it expires (the failure above is the expiry, not the code)', async () => {
    const pauth = await mintPauth(expiry);
    expiry.clock.advance(599_000);
    const res = await bad(expiry, callback(q({ state: `local!${pauth}`, code: 'not-issued' })));
    expect(res.location).toBe(`/web/error?state=local!${pauth}&code=RAPI-1010&provider=github`);
  });
});

describe('result pages (contract §1.9)', () => {
  it.each([
    ['/web/error?code=PRVD-1000&provider=blahblah', 'Authentication failed', '<b>PRVD-1000</b>'],
    [
      '/web/error?state=local!x&code=RAPI-1001&provider=github',
      'Authentication failed',
      'with GitHub (error: <b>RAPI-1001</b>)',
    ],
    ['/no-auth/web/error?state=x&code=AUTH-1005&provider=github', 'Authentication failed', '<b>AUTH-1005</b>'],
    ['/web/error?code=PRVD-1009&provider=github', 'Application Missing', '</h1>'],
    ['/web/error', 'Authentication failed', '</h1>'],
    ['/web/error?code=%3Cscript%3Ealert(1)%3C%2Fscript%3E', 'Authentication failed', '&#60;script&#62;'],
    ['/web/error?code=%E0%A4%A', 'Authentication failed', 'error: <b>'],
  ])('%s renders the code', async (path, title, fragment) => {
    const res = await bad(env, path);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<title>${title}</title>`);
    expect(res.body).toContain(fragment);
    expect(res.body).not.toContain('<script>');
  });

  it('renders /web/provider-connected/github', async () => {
    const res = await bad(env, '/web/provider-connected/github');
    expect(res.status).toBe(200);
    expect(res.body).toContain('You are now connected to GitHub');
  });

  it('redirects /web/provider-connected/unknown to SWEB-1000', async () => {
    expectErrorRedirect(await bad(env, '/web/provider-connected/unknown'), 'code=SWEB-1000&provider=unknown');
  });
});

describe('express edge input never becomes a 500', () => {
  it.each([
    '/no-auth/provider-token/%E0%A4%A?state=local!x&code=abc',
    '/no-auth/provider-auth/%E0%A4%A?code=x',
    '/web/provider-auth/%E0%A4%A?code=x',
    '/web/provider-connected/%E0%A4%A',
  ])(
    'sends a browser route whose path segment is not valid percent-encoding to /web/error?code=RAPI-1012: %s',
    async (path) => {
      expectErrorRedirect(await bad(env, path), 'code=RAPI-1012');
    },
  );

  it('answers an API route whose path segment is not valid percent-encoding with JSON 403 RAPI-1012', async () => {
    await expectJson403(await bad(env, '/provider-refresh/%E0%A4%A?teamId=acme', { headers: DANA }), {
      code: 'RAPI-1012',
    });
  });

  it('answers a query just under the header limit with the contract error', async () => {
    const state = `local!${'x'.repeat(12_000)}`;
    expectErrorRedirect(
      await bad(env, callback(q({ state, code: 'abc' }))),
      `state=${state}&code=AUTH-1002&provider=github`,
    );
  });

  it('refuses a query over the header limit before express sees it (431), and keeps answering', async () => {
    const res = await bad(env, callback(`state=local!${'x'.repeat(100_000)}`));
    expect(res.status).toBe(431);
  });

  it('answers a JSON body that does not parse with 403 RAPI-1012', async () => {
    const res = await bad(env, '/users/me', {
      method: 'POST',
      headers: { ...DANA, 'content-type': 'application/json' },
      body: '{"a":',
    });
    await expectJson403(res, { code: 'RAPI-1012' });
  });

  it('answers a JSON body over the limit with 403 RAPI-1012', async () => {
    const res = await bad(env, '/users/me', {
      method: 'POST',
      headers: { ...DANA, 'content-type': 'application/json' },
      body: JSON.stringify({ a: 'x'.repeat(100_000) }),
    });
    await expectJson403(res, { code: 'RAPI-1012' });
  });

  it('answers an unknown route with a JSON 404 naming it', async () => {
    const res = await bad(env, '/no-such-route?x=1');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toMatchObject({ message: 'no route for GET /no-such-route' });
  });
});

describe('random queries (fast-check)', () => {
  // Printable ASCII that Node's parser lets into a URL, weighted towards the characters that matter.
  const queryChar = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('%', '&', '=', '!', '[', ']', '+', '.', 'E', '0', 'A') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('state', 'code', 'error', 'invite_code', 'local!', '%E0%A4%A', '%00', '%21'),
    },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 3,
      }),
    },
  );
  const rawQuery = fc.array(queryChar, { maxLength: 40 }).map((parts) => parts.join('').replaceAll('#', ''));
  const route = fc.constantFrom(
    '/no-auth/provider-token/github',
    '/no-auth/provider-auth/github',
    '/web/provider-auth/github',
    '/provider-auth-code',
    '/web/error',
  );

  it('a random query to any route is never a 500 and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(route, rawQuery, async (path, query) => {
        const before = env.store.snapshot();
        const res = await getManual(`${env.api}${path}?${query}`, { headers: DANA });
        expect(res.status, `${path}?${query}`).toBeLessThan(500);
        expect(env.store.snapshot()).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the broadcaster (ws on /broadcaster) with bad frames', () => {
  /** Sends frames on one socket and collects one answer per frame. */
  async function exchangeFrames(frames: string[]): Promise<Array<Record<string, unknown>>> {
    const ws = new WebSocket(`${env.api.replace(/^http/, 'ws')}/broadcaster`);
    const answers: Array<Record<string, unknown>> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => resolve());
      });
      for (const frame of frames) {
        const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
          ws.once('message', (data) => resolve(JSON.parse(frameText(data)) as Record<string, unknown>));
          ws.once('close', () => reject(new Error(`the broadcaster closed the socket after ${JSON.stringify(frame)}`)));
        });
        ws.send(frame);
        answers.push(await answer);
      }
    } finally {
      ws.terminate();
    }
    return answers;
  }

  it.each([
    ['not JSON', 'garbage', 'RAPI-1012'],
    ['JSON null', 'null', 'RAPI-1001'],
    ['a JSON number', '42', 'RAPI-1001'],
    ['a JSON string', '"subscribe"', 'RAPI-1001'],
    ['a JSON array', '[]', 'RAPI-1001'],
    ['a subscribe without channels', '{"type":"subscribe","token":"bc-token-dana"}', 'RAPI-1001'],
    ['an unknown token', '{"type":"subscribe","token":"nope","channels":["user-dana"]}', 'AUTH-1001'],
    ["another user's channel", '{"type":"subscribe","token":"bc-token-dana","channels":["user-lee"]}', 'AUTH-1001'],
  ])('answers %s with an error frame and keeps serving', async (_name, frame, code) => {
    const before = env.store.snapshot();
    const [error, ok] = await exchangeFrames([
      frame,
      '{"type":"subscribe","token":"bc-token-dana","channels":["user-dana"]}',
    ]);
    expect(error).toMatchObject({ type: 'error', code });
    expect(ok).toEqual({ type: 'subscribed', channels: ['user-dana'] });
    expect((await fetch(`${env.api}/web/error?code=PING`)).status).toBe(200);
    expect(env.store.snapshot()).toEqual(before);
  });
});

function unsigned(payload: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ ...payload, iss: 'CodeStream' })}.`;
}

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { createClock, getManual, labData, startTestLab } from '../../helpers/lab.js';

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const api = (l: Lab) => l.envs.get('local')!;

/** Follows the sign-up browser leg by hand: start → authorize → router → callback; returns every hop. */
async function browserLeg(l: Lab, provider: string, query: string) {
  const start = await getManual(`${api(l).url}/web/provider-auth/${provider}?${query}`);
  if (start.status !== 302 || !start.location?.startsWith('http')) return { start };
  const authorize = await getManual(start.location);
  const routed = await getManual(authorize.location ?? '');
  const callback = await getManual(routed.location ?? '');
  return { start, authorize, routed, callback, errorCode: callbackError(callback.location) };
}

function callbackError(location: string | null | undefined): string | null {
  if (!location?.startsWith('/web/error')) return null;
  return new URL(location, 'http://x').searchParams.get('code');
}

const check = (l: Lab, token: string) =>
  fetch(`${api(l).url}/no-auth/check-signup`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

describe('GET /web/provider-auth/:provider in sign-up mode', () => {
  it('mints an anonymous 2-minute pauth with the mapped query keys and redirects to the authorize URL', async () => {
    const clock = createClock();
    lab = await startTestLab({ now: clock.now });
    const st = randomUUID();
    const res = await getManual(
      `${api(lab).url}/web/provider-auth/github?signupToken=${st}&noSignup=1&machineId=m-1&access=strict&tenantId=t%201`,
    );
    expect(res.status).toBe(302);
    const location = new URL(res.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${lab.providers.get('github')!.url}/login/oauth/authorize`);
    expect([...location.searchParams.keys()]).toEqual(['client_id', 'redirect_uri', 'response_type', 'state', 'scope']);
    expect(location.searchParams.get('redirect_uri')).toBe(`${lab.authOrigin}/provider-token/github`);
    const [env, jwt, ...rest] = (location.searchParams.get('state') ?? '').split('!');
    expect(env).toBe('local');
    expect(rest).toEqual([]);
    const claims = decodeJwt(jwt ?? '');
    expect(claims).toMatchObject({
      userId: 'anon',
      st,
      nosu: '1',
      mi: 'm-1',
      access: 'strict',
      tid: 't 1',
      type: 'pauth',
      iss: 'CodeStream',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    expect(res.headers.getSetCookie().join(';')).toMatch(/^t-github=s%3AeyJ/);
  });

  it('answers {state} as JSON with _returnState and shortens the lifetime with expiresIn', async () => {
    lab = await startTestLab();
    const res = await getManual(
      `${api(lab).url}/web/provider-auth/github?signupToken=abc&expiresIn=30000&_returnState=1`,
    );
    expect(res.status).toBe(200);
    const claims = decodeJwt(String((JSON.parse(res.body) as { state: string }).state.split('!')[1]));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(30);
  });

  it('sends Okta without hostUrl to /web/error with PRVD-1008, and to the hostUrl with one', async () => {
    lab = await startTestLab({ providers: ['okta'] });
    const without = await getManual(`${api(lab).url}/web/provider-auth/okta?signupToken=${randomUUID()}`);
    expect(without).toMatchObject({ status: 302, location: '/web/error?code=PRVD-1008&provider=okta' });
    const hostUrl = lab.providers.get('okta')!.url;
    const withHost = await getManual(
      `${api(lab).url}/web/provider-auth/okta?signupToken=${randomUUID()}&hostUrl=${encodeURIComponent(hostUrl)}`,
    );
    expect(withHost.location).toMatch(new RegExp(`^${hostUrl}/oauth2/v1/authorize\\?client_id=cs-okta-client&`));
    const state = new URL(withHost.location ?? '').searchParams.get('state') ?? '';
    expect(decodeJwt(state.split('!')[1] ?? '')).toMatchObject({ hu: hostUrl });
  });

  it('sends an unknown service to /web/error with SWEB-1000 (contract §1.4), not PRVD-1000', async () => {
    lab = await startTestLab();
    const res = await getManual(`${api(lab).url}/web/provider-auth/blahblah?signupToken=${randomUUID()}`);
    expect(res).toMatchObject({ status: 302, location: '/web/error?code=SWEB-1000&provider=blahblah' });
  });

  it('refuses a malformed %-escape as RAPI-1012 on /web/error', async () => {
    lab = await startTestLab();
    const res = await getManual(
      `${api(lab).url}/web/provider-auth/github?signupToken=${encodeURIComponent('%E0%A4%A')}`,
    );
    expect(res).toMatchObject({ status: 302, location: '/web/error?code=RAPI-1012&provider=github' });
  });
});

describe('the anonymous callback and the signup record', () => {
  it('creates the user from the provider identity and writes a single-use record for the signup token', async () => {
    lab = await startTestLab();
    const st = randomUUID();
    const leg = await browserLeg(lab, 'github', `signupToken=${st}`);
    expect(leg.errorCode).toBeNull();
    expect(leg.callback?.location).toBe(`${lab.marketing.url}/auth-complete/github`);
    const issued = lab.providers.get('github')!.control.issued[0]?.accessToken;
    const identityCalls = lab.providers.get('github')!.control.requests.filter((r) => r.endpoint === 'identity');
    expect(identityCalls.map((r) => [r.path, r.headers.authorization])).toEqual([
      ['/user', `Bearer ${issued}`],
      ['/user/emails', `Bearer ${issued}`],
    ]);
    const record = api(lab).ctx.signups.find(st);
    expect(record).toMatchObject({ token: st, signupStatus: 'userCreated', provider: 'github' });
    const user = api(lab).ctx.store.users.get(record?.userId ?? '');
    expect(user).toMatchObject({
      email: 'sam.okafor@newco.example',
      username: 'sam-okafor',
      fullName: 'Sam Okafor',
      isRegistered: true,
      providerIdentities: ['github::58213907'],
    });
    expect(user?.providerInfo.github).toMatchObject({ userId: '58213907', accessToken: issued });
    // The directive went out on the new user's me-channel.
    expect(api(lab).ctx.broadcaster.messagesOn(`user-${user?.id}`)).toHaveLength(1);
    const first = await check(lab, st);
    expect(first.status).toBe(200);
    expect(
      (first.body.user as { providerInfo: { github: { accessToken: string } } }).providerInfo.github.accessToken,
    ).toBe(issued);
    expect(await check(lab, st)).toMatchObject({ status: 403, body: { code: 'AUTH-1006' } });
  });

  it('signs in an existing registered user with noSignup, and refuses the sign-up without it (USRC-1006)', async () => {
    lab = await startTestLab();
    const github = lab.providers.get('github')!;
    github.control.setNextIdentity({ email: 'DANA@acme.example' });
    const signIn = randomUUID();
    expect((await browserLeg(lab, 'github', `signupToken=${signIn}&noSignup=1`)).errorCode).toBeNull();
    const ok = await check(lab, signIn);
    expect(ok.body).toMatchObject({
      signupStatus: 'signedIn',
      accessToken: 'cs-token-dana',
      teams: [{ id: 'acme' }],
      companies: [{ id: 'company-acme' }],
    });
    github.control.setNextIdentity({ email: 'dana@acme.example' });
    const signUp = randomUUID();
    expect((await browserLeg(lab, 'github', `signupToken=${signUp}`)).errorCode).toBe('USRC-1006');
    expect(await check(lab, signUp)).toMatchObject({
      status: 403,
      body: { code: 'USRC-1022', error: 'USRC-1006', provider: 'github' },
    });
  });

  it.each([
    {
      name: 'noSignup without a matching account',
      provider: 'github',
      query: 'noSignup=1',
      identity: {},
      code: 'PRVD-1005',
    },
    {
      name: 'a GitLab user without a public email',
      provider: 'gitlab',
      query: '',
      identity: { publicEmail: false },
      code: 'PRVD-1010',
    },
    {
      name: 'a Bitbucket user without a primary email',
      provider: 'bitbucket',
      query: '',
      identity: { primaryEmail: false },
      code: 'PRVD-1005',
    },
    {
      name: 'a GitHub user without a primary email',
      provider: 'github',
      query: '',
      identity: { primaryEmail: false },
      code: 'RAPI-1010',
    },
  ])('records $code for $name and changes no user', async ({ provider, query, identity, code }) => {
    lab = await startTestLab({ providers: [provider] });
    lab.providers.get(provider)!.control.setNextIdentity(identity);
    const before = api(lab).ctx.store.snapshot();
    const st = randomUUID();
    const leg = await browserLeg(lab, provider, `signupToken=${st}&${query}`);
    expect(leg.errorCode).toBe(code);
    expect(leg.callback?.location).toMatch(
      new RegExp(`^/web/error\\?state=local!ey[^&]+&code=${code}&provider=${provider}$`),
    );
    expect(api(lab).ctx.store.snapshot()).toEqual(before);
    expect(await check(lab, st)).toMatchObject({ status: 403, body: { code: 'USRC-1022', error: code, provider } });
  });

  it('records PRVD-1004 for a provider without an identity lookup, after exchanging the code (FM 20)', async () => {
    const data = await labData();
    const { identity: _none, ...github } = data.profiles.get('github')!;
    lab = await startTestLab({ profiles: new Map([...data.profiles, ['github', github]]) });
    const st = randomUUID();
    expect((await browserLeg(lab, 'github', `signupToken=${st}`)).errorCode).toBe('PRVD-1004');
    // Contract §1.5 steps 7-8: the code was exchanged before identity matching failed.
    expect(lab.providers.get('github')!.control.requests.filter((r) => r.endpoint === 'token')).toHaveLength(1);
    expect(await check(lab, st)).toMatchObject({ body: { code: 'USRC-1022', error: 'PRVD-1004' } });
  });

  it('records access_denied when the user denies consent, with the provider error', async () => {
    lab = await startTestLab();
    lab.providers.get('github')!.control.failNext('authorize', { kind: 'deny' });
    const st = randomUUID();
    const leg = await browserLeg(lab, 'github', `signupToken=${st}`);
    expect(leg.callback?.location).toMatch(/^\/web\/error\?state=local!.+&code=access_denied&provider=github$/);
    expect(api(lab).ctx.signups.find(st)).toMatchObject({
      error: 'access_denied',
      providerError: 'access_denied',
      userId: null,
    });
    expect(await check(lab, st)).toMatchObject({ status: 403, body: { code: 'USRC-1022', error: 'access_denied' } });
  });

  it('records AUTH-1005 when the user took longer than the 2-minute state', async () => {
    const clock = createClock();
    lab = await startTestLab({ now: clock.now });
    const st = randomUUID();
    const start = await getManual(`${api(lab).url}/web/provider-auth/github?signupToken=${st}`);
    const authorize = await getManual(start.location ?? '');
    clock.advance(121_000);
    const routed = await getManual(authorize.location ?? '');
    const callback = await getManual(routed.location ?? '');
    expect(callbackError(callback.location)).toBe('AUTH-1005');
    expect(await check(lab, st)).toMatchObject({ body: { code: 'USRC-1022', error: 'AUTH-1005' } });
  });

  it('records RAPI-1010 when the exchange fails and PRVD-1001 when the identity call fails', async () => {
    lab = await startTestLab();
    const github = lab.providers.get('github')!;
    github.control.failNext('token', { kind: 'oauth-error', error: 'bad_verification_code' });
    const a = randomUUID();
    expect((await browserLeg(lab, 'github', `signupToken=${a}`)).errorCode).toBe('RAPI-1010');
    github.control.failNext('identity', { kind: 'status', status: 500 });
    const b = randomUUID();
    expect((await browserLeg(lab, 'github', `signupToken=${b}`)).errorCode).toBe('PRVD-1001');
    expect(api(lab).ctx.signups.find(a)?.error).toBe('RAPI-1010');
    expect(api(lab).ctx.signups.find(b)?.error).toBe('PRVD-1001');
  });

  it.each(['signupToken', 'hostUrl', 'noSignup'])(
    'answers a repeated %s with RAPI-1012 instead of dropping it',
    async (param) => {
      lab = await startTestLab();
      const res = await getManual(
        `${api(lab).url}/web/provider-auth/github?signupToken=${randomUUID()}&${param}=a&${param}=b`,
      );
      expect(res).toMatchObject({ status: 302, location: `/web/error?code=RAPI-1012&provider=github` });
      expect(api(lab).ctx.signups.records.size).toBe(0);
    },
  );

  it('never sends the browser, a code or the client secret to a hostUrl the lab does not serve (PRVD-1003)', async () => {
    lab = await startTestLab({ providers: ['okta'] });
    // A server outside the lab playing an org host: it must see no request at all.
    const seen: string[] = [];
    const outsider = createServer((req, res) => {
      seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"access_token":"stolen"}');
    });
    await new Promise<void>((resolve) => outsider.listen(0, '127.0.0.1', resolve));
    const foreign = `http://127.0.0.1:${(outsider.address() as AddressInfo).port}`;
    try {
      const st = randomUUID();
      const start = await getManual(
        `${api(lab).url}/web/provider-auth/okta?signupToken=${randomUUID()}&hostUrl=${encodeURIComponent(foreign)}`,
      );
      expect(start).toMatchObject({ status: 302, location: '/web/error?code=PRVD-1003&provider=okta' });
      // A signed state can still carry it (the start signs whatever hostUrl it got): the callback refuses it too.
      const { state } = JSON.parse(
        (
          await getManual(
            `${api(lab).url}/web/provider-auth/okta?signupToken=${st}&hostUrl=${encodeURIComponent(foreign)}&_returnState=1`,
          )
        ).body,
      ) as { state: string };
      const callback = await getManual(
        `${api(lab).url}/no-auth/provider-token/okta?code=any&state=${encodeURIComponent(state)}`,
      );
      expect(callbackError(callback.location)).toBe('PRVD-1003');
      expect(api(lab).ctx.signups.find(st)?.error).toBe('PRVD-1003');
      expect(seen).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => outsider.close(() => resolve()));
    }
  });

  it('records PRVD-1008 when an Okta state carries no hostUrl', async () => {
    lab = await startTestLab({ providers: ['okta'] });
    const st = randomUUID();
    const res = await getManual(`${api(lab).url}/web/provider-auth/okta?signupToken=${st}&_returnState=1`);
    const { state } = JSON.parse(res.body) as { state: string };
    const callback = await getManual(
      `${api(lab).url}/no-auth/provider-token/okta?code=any&state=${encodeURIComponent(state)}`,
    );
    expect(callbackError(callback.location)).toBe('PRVD-1008');
    expect(api(lab).ctx.signups.find(st)?.error).toBe('PRVD-1008');
  });

  it('reads expires_in on the callback as milliseconds for the record lifetime', async () => {
    const clock = createClock();
    lab = await startTestLab({ now: clock.now });
    const st = randomUUID();
    const start = await getManual(`${api(lab).url}/web/provider-auth/github?signupToken=${st}`);
    const authorize = await getManual(start.location ?? '');
    const routed = await getManual(authorize.location ?? '');
    await getManual(`${routed.location ?? ''}&expires_in=1000`);
    expect(api(lab).ctx.signups.find(st)?.expiresAt).toBe(clock.now() + 1000);
    clock.advance(2000);
    expect(await check(lab, st)).toMatchObject({ status: 403, body: { code: 'AUTH-1005' } });
  });

  it('honours the contract §9 identity mock only with the confirmation cheat header', async () => {
    lab = await startTestLab();
    const st = randomUUID();
    const res = await getManual(`${api(lab).url}/web/provider-auth/github?signupToken=${st}&_returnState=1`);
    const { state } = JSON.parse(res.body) as { state: string };
    const url = `${api(lab).url}/no-auth/provider-token/github?code=mock-4242-T1&state=${encodeURIComponent(state)}&_mockToken=gho_mock&_mockEmail=mock@y.com`;
    const refused = await getManual(url);
    expect(callbackError(refused.location)).toBe('RAPI-1010'); // no header: a real exchange of a code the provider never issued
    const accepted = await getManual(url, { headers: { 'x-cs-mock-secret': 'ConfirmationCheatCode' } });
    expect(callbackError(accepted.location)).toBeNull();
    const user = [...api(lab).ctx.store.users.values()].find((u) => u.email === 'mock@y.com');
    expect(user).toMatchObject({
      providerIdentities: ['github::4242'],
      providerInfo: { github: { accessToken: 'gho_mock', userId: '4242' } },
    });
  });
});

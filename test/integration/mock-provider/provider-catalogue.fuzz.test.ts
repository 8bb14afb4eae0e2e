/**
 * Bad input to the catalogue's routes is never a 500 and never changes the store: the start route with any
 * host, hostUrl and flags, the callback with any state and token parameters, provider-refresh with any query,
 * and the mock providers' token and OAuth 1.0a endpoints with any body and Authorization header.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { getManual, labData, startTestLab } from '../../helpers/lab.js';

let lab: Lab;
let api: string;
let code: string;
const ids = ['github_enterprise', 'jiraserver', 'trello', 'youtrack', 'slack', 'azuredevops', 'okta', 'jira'];

beforeAll(async () => {
  lab = await startTestLab({ providers: ids, envs: ['local'] });
  api = lab.envs.get('local')!.url;
  const res = await fetch(`${api}/provider-auth-code?teamId=acme`, {
    headers: { authorization: 'Bearer cs-token-dana' },
  });
  code = ((await res.json()) as { code: string }).code;
});
afterAll(async () => {
  await lab?.close();
});

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    'https://git.example.com',
    'HTTPS://GIT.EXAMPLE.COM',
    '%E0%A4%A',
    '__proto__',
    'constructor',
    'a!b!c!d!e',
    '***(_colon_)',
    '',
  ),
);
const param = (name: string) =>
  fc.option(
    text.map((v) => `&${name}=${encodeURIComponent(v)}`),
    { nil: '' },
  );
const unchanged = () => lab.envs.get('local')!.ctx.store.snapshot();

describe('no 500 and no write on bad input', () => {
  it('the start route, whatever host, hostUrl and flags it gets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ids),
        param('host'),
        param('hostUrl'),
        param('requestServerToken'),
        param('sharing'),
        async (p, host, hostUrl, rst, sharing) => {
          const res = await getManual(
            `${api}/no-auth/provider-auth/${p}?code=${code}${host}${hostUrl}${rst}${sharing}`,
          );
          expect(res.status).toBe(302);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the callback, whatever state, token and oauth_token it gets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ids),
        fc.oneof(
          text,
          fc.constant(`local!${code}`),
          text.map((t) => `local!${code}!${t}!${t}`),
        ),
        param('token'),
        param('oauth_token'),
        param('code'),
        async (p, state, token, oauthToken, c) => {
          const res = await getManual(
            `${api}/no-auth/provider-token/${p}?state=${encodeURIComponent(state)}${token}${oauthToken}${c}`,
          );
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 80 },
    );
    // note: a fragment provider's second hop is trusted as the real server trusts it (contract §1.5 step 3):
    // with a valid state, whatever "token" it carries is stored. No other provider may have been written.
    const after = unchanged() as {
      users: Array<{ providerInfo: Record<string, Record<string, { accessToken?: unknown }>> }>;
    };
    const written = after.users.flatMap((u) => Object.values(u.providerInfo).flatMap((team) => Object.keys(team)));
    expect(written.every((p) => p === 'trello' || p === 'youtrack')).toBe(true);
  });

  it('provider-refresh, whatever its query', async () => {
    const before = unchanged();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ids, 'nope'),
        param('teamId'),
        param('host'),
        param('sharing'),
        param('subId'),
        async (p, teamId, host, sharing, subId) => {
          const res = await getManual(`${api}/provider-refresh/${p}?x=1${teamId}${host}${sharing}${subId}`, {
            headers: { authorization: 'Bearer cs-token-dana' },
          });
          expect(res.status).toBe(403);
        },
      ),
      { numRuns: 60 },
    );
    expect(unchanged()).toEqual(before);
  });

  it("the mock providers' token, request-token and access-token endpoints, whatever body and Authorization", async () => {
    const { profiles } = await labData();
    const endpoints = ids.flatMap((id) => {
      const p = profiles.get(id)!;
      const base = lab.providers.get(id)!.url;
      return [p.token?.path, p.oauth1?.requestTokenPath, p.oauth1?.accessTokenPath]
        .filter((x): x is string => x !== undefined)
        .map((path) => `${base}${path}`);
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...endpoints),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'),
        fc.string({ maxLength: 80 }),
        fc.oneof(
          fc.constant(undefined),
          fc.string({ maxLength: 60 }).map((s) => `OAuth ${s}`),
          fc.string({ maxLength: 40 }).map((s) => `Basic ${s}`),
        ),
        async (url, type, body, auth) => {
          const headers: Record<string, string> = { 'content-type': type, accept: 'application/json' };
          if (auth !== undefined) headers.authorization = auth;
          const res = await getManual(url, { method: 'POST', headers, body });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 80 },
    );
  });
});

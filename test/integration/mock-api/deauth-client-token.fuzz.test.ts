/**
 * Bad input to the disconnect and client-token routes and to the mock Slack's users.info is never a 500:
 * any JSON body, any content type, any query and Authorization header get a contract answer.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lab } from '../../../src/lab/start-lab.js';
import { getManual, startTestLab } from '../../helpers/lab.js';

let lab: Lab;
let api: string;
beforeAll(async () => {
  lab = await startTestLab({ providers: ['github', 'slack'], envs: ['local'] });
  api = lab.envs.get('local')!.url;
});
afterAll(async () => {
  await lab?.close();
});

const provider = fc.constantFrom('github', 'slack', 'github_enterprise', 'trello', 'nope', '__proto__', '%E0%A4%A');
const field = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('acme', 'https://git.example.com', 'T0ACME0001', 'invalid-token', 'mock-1-T1', '__proto__'),
);
const body = fc.oneof(
  fc.record(
    {
      teamId: field,
      host: field,
      subId: field,
      token: field,
      code: field,
      signup_token: field,
      no_signup: field,
      data: field,
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded');

describe('no 500 on bad input', () => {
  it('PUT /provider-deauth, whatever body', async () => {
    await fc.assert(
      fc.asyncProperty(provider, body, contentType, async (p, b, type) => {
        const res = await getManual(`${api}/provider-deauth/${p}`, {
          method: 'PUT',
          headers: { authorization: 'Bearer cs-token-dana', 'content-type': type },
          body: JSON.stringify(b),
        });
        expect([200, 403, 404]).toContain(res.status);
      }),
      { numRuns: 80 },
    );
  });

  it('POST /no-auth/provider-token, whatever body; providers that take no client token never write', async () => {
    const before = lab.envs.get('local')!.ctx.store.snapshot();
    await fc.assert(
      fc.asyncProperty(
        provider.filter((p) => p !== 'github'),
        body,
        contentType,
        async (p, b, type) => {
          const res = await getManual(`${api}/no-auth/provider-token/${p}`, {
            method: 'POST',
            headers: { 'content-type': type },
            body: JSON.stringify(b),
          });
          expect([403, 404]).toContain(res.status);
          expect(res.location).toBeNull();
        },
      ),
      { numRuns: 60 },
    );
    expect(lab.envs.get('local')!.ctx.store.snapshot()).toEqual(before);
    await fc.assert(
      fc.asyncProperty(body, contentType, async (b, type) => {
        const res = await getManual(`${api}/no-auth/provider-token/github`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: JSON.stringify(b),
        });
        expect([200, 403]).toContain(res.status);
      }),
      { numRuns: 80 },
    );
  });

  it('the mock users.info, whatever query and Authorization', async () => {
    const url = `${lab.providers.get('slack')!.url}/api/users.info`;
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
        async (query, auth) => {
          const res = await getManual(
            `${url}?${encodeURI(query)}`,
            auth === undefined ? {} : { headers: { authorization: `Bearer ${auth.replace(/[^\x20-\x7e]/g, '')}` } },
          );
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * `refresh --profile`: the refresh of a real server the lab does not mock. Without a journal the run compares
 * with the token the connect stored and reports, rather than asserts, what the server did about rotation.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { startStandardServer, type StandardServer } from '../helpers/standard-oauth-server.js';

const SECRET = 'std-secret';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'custom-refresh-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const events = (stdout: string): FlowEvent[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FlowEvent);
const notes = (all: FlowEvent[]): string[] => all.flatMap((e) => (e.type === 'note' ? [e.text] : []));

async function profileFor(server: StandardServer): Promise<string> {
  const path = join(dir, `std-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  await writeFile(
    path,
    JSON.stringify({
      id: 'std_sso',
      displayName: 'Standard SSO',
      realHost: 'sso.example',
      supportsRefresh: true,
      authorize: { scopes: 'openid' },
      token: { format: 'formQuery' },
      server: {
        authorizeUrl: `${server.url}/authorize`,
        tokenUrl: `${server.url}/token`,
        clientId: 'std-client',
        clientSecretEnv: 'STD_SECRET',
      },
    }),
  );
  return path;
}

describe('refresh --profile against a standards server on this machine', () => {
  it.each([
    [
      { sameAccessTokenOnRefresh: true, rotateRefreshToken: false },
      'the server answered the refresh with the same access token',
      'answered without a refresh_token',
    ],
    [{ sameAccessTokenOnRefresh: false, rotateRefreshToken: true }, undefined, 'rotated the refresh token'],
  ])(
    '%j: exits 0 with the refreshed token delivered, saying what the server did',
    async (behaviour, sameNote, rotationNote) => {
      const server = await startStandardServer({ clientId: 'std-client', clientSecret: SECRET, ...behaviour });
      try {
        const fake = createFakeDeps({ env: { STD_SECRET: SECRET } });
        const code = await main(
          ['refresh', '--profile', await profileFor(server), '--envs', 'local', '--json'],
          fake.deps,
        );
        const all = events(fake.stdout());
        expect(all.filter((e) => e.type === 'check-failed')).toEqual([]);
        expect(code).toBe(0);
        expect(server.grants).toEqual(['authorization_code', 'refresh_token']);
        expect(all.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
        expect(notes(all).some((n) => n.startsWith(sameNote ?? 'never'))).toBe(sameNote !== undefined);
        expect(
          notes(all).some((n) => n === `Standard SSO ${rotationNote}` || n.startsWith(`Standard SSO ${rotationNote}`)),
        ).toBe(true);
      } finally {
        await server.close();
      }
    },
  );
});

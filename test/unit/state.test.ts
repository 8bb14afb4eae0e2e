import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeState,
  encodeState,
  environmentOf,
  specialDecode,
  specialEncode,
  starHost,
  StateError,
  type StateParts,
} from '../../src/state.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoicGF1dGgifQ.c2lnbmF0dXJl';
const OASEC = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXBlIjoib2FzZWMifQ.b2FzZWM';

describe('specialEncode / specialDecode (contract §2.2)', () => {
  it.each([
    ['https://git.codestream.us', 'https***(_colon_)***(_slash_)***(_slash_)git.codestream.us'],
    ['http://127.0.0.1:8080/jira', 'http***(_colon_)***(_slash_)***(_slash_)127.0.0.1***(_colon_)8080***(_slash_)jira'],
    ['git.codestream.us', 'git.codestream.us'],
    ['', ''],
    [':/', '***(_colon_)***(_slash_)'],
  ])('encodes %j as %j and decodes it back', (raw, encoded) => {
    expect(specialEncode(raw)).toBe(encoded);
    expect(specialDecode(encoded)).toBe(raw);
  });

  it.each([
    ['https://git.codestream.us'],
    ['https%3A%2F%2Fgit.codestream.us'],
    ['***(_colon'],
    ['***(_slash_'],
    ['(_colon_)'],
  ])('leaves %j unchanged when decoding (a raw or partly encoded host passes through)', (text) => {
    expect(specialDecode(text)).toBe(text);
  });
});

describe('encodeState', () => {
  it.each<[string, StateParts, boolean, string]>([
    ['env and jwt only', { env: 'local', jwt: JWT }, false, `local!${JWT}`],
    [
      'a raw host for OAuth 2',
      { env: 'pd', jwt: JWT, host: 'https://git.codestream.us' },
      false,
      `pd!${JWT}!https://git.codestream.us`,
    ],
    [
      'a lowercased host',
      { env: 'pd', jwt: JWT, host: 'HTTPS://Git.CodeStream.US' },
      false,
      `pd!${JWT}!https://git.codestream.us`,
    ],
    [
      'a special-encoded host and an oasec for OAuth 1',
      { env: 'qa', jwt: JWT, host: 'https://jira.acme.example', oasec: OASEC },
      true,
      `qa!${JWT}!https***(_colon_)***(_slash_)***(_slash_)jira.acme.example!${OASEC}`,
    ],
    [
      'an empty host segment when only oasec is given',
      { env: 'qa', jwt: JWT, oasec: OASEC },
      true,
      `qa!${JWT}!!${OASEC}`,
    ],
    ['a sandbox environment', { env: 'local-10-1-2-3', jwt: JWT }, false, `local-10-1-2-3!${JWT}`],
    ['an unset callbackEnvironment as the real server writes it', { env: 'null', jwt: JWT }, false, `null!${JWT}`],
  ])('joins %s', (_name, parts, encodeHost, expected) => {
    expect(encodeState(parts, { encodeHost })).toBe(expected);
  });
});

describe('decodeState', () => {
  it.each<[string, string, StateParts]>([
    ['env and jwt', `local!${JWT}`, { env: 'local', jwt: JWT }],
    ['a raw host', `pd!${JWT}!https://git.codestream.us`, { env: 'pd', jwt: JWT, host: 'https://git.codestream.us' }],
    [
      'a special-encoded host',
      `pd!${JWT}!https***(_colon_)***(_slash_)***(_slash_)git.codestream.us`,
      { env: 'pd', jwt: JWT, host: 'https://git.codestream.us' },
    ],
    ['host and oasec', `qa!${JWT}!h!${OASEC}`, { env: 'qa', jwt: JWT, host: 'h', oasec: OASEC }],
    ['an empty host before an oasec', `qa!${JWT}!!${OASEC}`, { env: 'qa', jwt: JWT, oasec: OASEC }],
    ['a trailing "!" (empty host)', `local!${JWT}!`, { env: 'local', jwt: JWT }],
    ['an empty environment (the router refuses it, the API ignores segment 0)', `!${JWT}`, { env: '', jwt: JWT }],
    ["a garbage jwt (verification is the API's job)", 'local!xyz', { env: 'local', jwt: 'xyz' }],
  ])('splits %s', (_name, raw, expected) => {
    expect(decodeState(raw)).toEqual(expected);
  });

  it.each([
    ['an empty string', ''],
    ['no "!" at all', 'local'],
    ['a garbage word', 'xyz'],
    ['a bare JWT', JWT],
    ['an environment with an empty JWT', 'local!'],
    ['only "!"', '!'],
    ['only "!!"', '!!'],
    ['five segments', `local!${JWT}!h!${OASEC}!extra`],
    ['many segments', '!'.repeat(50)],
  ])('throws STATE_MALFORMED for %s', (_name, raw) => {
    expect(() => decodeState(raw)).toThrow(StateError);
    expect(() => decodeState(raw)).toThrow(expect.objectContaining({ code: 'STATE_MALFORMED' }));
  });

  // Contract §1.10: the API reads segments 1 to 3 and ignores any further ones (provider_token_request.js).
  it('ignores segments after the fourth when asked to, as the API does', () => {
    expect(decodeState(`local!${JWT}!h!${OASEC}!extra!more`, { extraSegments: 'ignore' })).toEqual({
      env: 'local',
      jwt: JWT,
      host: 'h',
      oasec: OASEC,
    });
  });

  it.each([[undefined], [null], [42], [{ state: 'local!x' }], [['local!x']]])(
    'throws STATE_MALFORMED for the non-string %j',
    (value) => {
      expect(() => decodeState(value as unknown as string)).toThrow(
        expect.objectContaining({ code: 'STATE_MALFORMED' }),
      );
    },
  );

  it('keeps a long garbage state out of the error message', () => {
    const raw = 'x'.repeat(10_000);
    expect(() => decodeState(raw)).toThrow(/^state "x{40}…" has no JWT segment/);
  });
});

describe('environmentOf (what the router reads)', () => {
  it.each<[string, string | undefined]>([
    [`local!${JWT}`, 'local'],
    [`local-10-1-2-3!${JWT}!https://h`, 'local-10-1-2-3'],
    ['null!x', 'null'],
    ['undefined!x', 'undefined'],
    ['QA!x', 'QA'],
    ['../!x', '../'],
    ['a!b!c', 'a'],
    ['local', undefined],
    ['', undefined],
    ['!x', undefined],
    ['!', undefined],
  ])('reads %j as %j', (raw, expected) => {
    expect(environmentOf(raw)).toBe(expected);
  });
});

describe('starHost (contract §3.1)', () => {
  it.each([
    ['https://git.codestream.us', 'https://git*codestream*us'],
    ['git.codestream.us', 'git*codestream*us'],
    ['localhost', 'localhost'],
    ['', ''],
    ['...', '***'],
  ])('stars %j as %j', (host, expected) => {
    expect(starHost(host)).toBe(expected);
  });
});

// Generators for the round-trip property.
const envName = fc.stringMatching(/^[a-z0-9-]+$/);
const b64url = fc.stringMatching(/^[A-Za-z0-9_-]+$/);
const jwtLike = fc.tuple(b64url, b64url, fc.oneof(b64url, fc.constant(''))).map((s) => s.join('.'));
const host = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    domain: fc.domain(),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    path: fc.option(fc.stringMatching(/^(\/[a-z0-9._~-]+)+$/), { nil: undefined }),
  })
  .map(({ scheme, domain, port, path }) => `${scheme}://${domain}${port === undefined ? '' : `:${port}`}${path ?? ''}`);

describe('state codec properties', () => {
  it('decodeState(encodeState(p)) returns p, with and without special encoding', () => {
    fc.assert(
      fc.property(
        envName,
        jwtLike,
        fc.option(host, { nil: undefined }),
        fc.option(jwtLike, { nil: undefined }),
        fc.boolean(),
        (env, jwt, h, oasec, encodeHost) => {
          const parts: StateParts = {
            env,
            jwt,
            ...(h === undefined ? {} : { host: h }),
            ...(oasec === undefined ? {} : { oasec }),
          };
          const raw = encodeState(parts, { encodeHost });
          expect(decodeState(raw)).toEqual(parts);
          expect(environmentOf(raw)).toBe(env);
          // A special-encoded state has no ":" or "/" left for a proxy to mangle (contract §2.2).
          if (encodeHost && h !== undefined) expect(raw.split('!')[2]).not.toMatch(/[:/]/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('specialDecode undoes specialEncode for any text without the stand-in marker', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((s) => !s.includes('***(')),
        (text) => specialDecode(specialEncode(text)) === text,
      ),
      { numRuns: 300 },
    );
  });

  it('decodeState either returns parts or throws StateError, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (raw) => {
        try {
          const parts = decodeState(raw);
          expect(parts.jwt.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(StateError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

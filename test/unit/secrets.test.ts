import { describe, expect, it } from 'vitest';
import { createSecretRegistry, noRedaction, shortenSecret } from '../../src/util/secrets.js';

const TOKEN = 'gho_16C7e42F292c6912E7710c838347Ae179f2c';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsInN0IjoieCJ9.c2lnbmF0dXJlLXBhcnQ_xY';

describe('shortenSecret', () => {
  it.each([
    [TOKEN, 'gho_16…9f2c'],
    ['abcdefghijkl', 'abcdef…ijkl'],
    ['abcdefghijk', 'abc…'],
    ['AuthSecret', 'Aut…'],
  ])('shortens %j to %j', (value, expected) => {
    expect(shortenSecret(value)).toBe(expected);
  });
});

describe('createSecretRegistry().redact', () => {
  it.each([
    {
      name: 'a registered token inside a sentence',
      secrets: [TOKEN],
      text: `token ${TOKEN} stored`,
      expected: 'token gho_16…9f2c stored',
    },
    { name: 'every occurrence', secrets: [TOKEN], text: `${TOKEN}=${TOKEN}`, expected: 'gho_16…9f2c=gho_16…9f2c' },
    { name: 'a short client secret', secrets: ['AuthSecret'], text: 'secret=AuthSecret', expected: 'secret=Aut…' },
    {
      name: 'the longer of two overlapping secrets whole',
      secrets: ['abcdefgh', 'abcdefgh1234567890'],
      text: 'x abcdefgh1234567890 y',
      expected: 'x abcdef…7890 y',
    },
    {
      name: 'a percent-encoded secret in a query string',
      secrets: ['s3cr3t/+=value'],
      text: '?client_secret=s3cr3t%2F%2B%3Dvalue&x=1',
      expected: '?client_secret=s3cr3t…alue&x=1',
    },
    {
      name: 'an unregistered JWT',
      secrets: [],
      text: `state=local!${JWT}!host`,
      expected: 'state=local!eyJhbG…Q_xY!host',
    },
    {
      name: 'an unregistered token in a fragment (Trello, RFC 6749 §4.2.2)',
      secrets: [],
      text: 'GET /cb?state=local!x 302 → http://h/cb?state=s#token=8a1a7386b6640fbb2c16715f9f515b94ff47984b',
      expected: 'GET /cb?state=local!x 302 → http://h/cb?state=s#token=8a1a73…984b',
    },
    {
      name: 'an unregistered access_token in a fragment (YouTrack) and the parameters after it',
      secrets: [],
      text: 'http://h/cb#access_token=perm:abcdefghijklmnop&token_type=bearer&state=s',
      expected: 'http://h/cb#access_token=perm:a…mnop&token_type=bearer&state=s',
    },
    {
      name: 'an unregistered credential in a query or form',
      secrets: [],
      text: 'refresh_token=r1_0123456789abcdef&client_secret=cs-github-secret&code=abc123def',
      expected: 'refresh_token=r1_012…cdef&client_secret=cs-git…cret&code=abc123def',
    },
    {
      name: 'an unregistered Bearer credential',
      secrets: [],
      text: 'Authorization: Bearer gho_0123456789abcdef0123',
      expected: 'Authorization: Bearer gho_01…0123',
    },
    {
      name: 'prose about a Bearer token',
      secrets: [],
      text: 'agent → api, Bearer token',
      expected: 'agent → api, Bearer token',
    },
    { name: 'nothing when no secret occurs', secrets: [TOKEN], text: 'GET /user 200', expected: 'GET /user 200' },
    {
      name: 'values too short to be secrets (they would hit ordinary words)',
      secrets: ['abc', ''],
      text: 'abc abc',
      expected: 'abc abc',
    },
  ])('redacts $name', ({ secrets, text, expected }) => {
    const registry = createSecretRegistry();
    for (const s of secrets) registry.add(s);
    expect(registry.redact(text)).toBe(expected);
  });

  it('ignores undefined, so flows can register optional fields as they come', () => {
    const registry = createSecretRegistry();
    registry.add(undefined);
    expect(registry.redact('nothing here')).toBe('nothing here');
  });

  it('picks up secrets added after a first redaction', () => {
    const registry = createSecretRegistry();
    expect(registry.redact(TOKEN)).toBe(TOKEN);
    registry.add(TOKEN);
    expect(registry.redact(TOKEN)).toBe('gho_16…9f2c');
  });

  it('leaves already-redacted text unchanged', () => {
    const registry = createSecretRegistry();
    registry.add(TOKEN);
    const once = registry.redact(`${TOKEN} ${JWT}`);
    expect(registry.redact(once)).toBe(once);
  });
});

describe('redactDeep', () => {
  it('redacts strings at any depth and keeps other values and the input intact', () => {
    const registry = createSecretRegistry();
    registry.add(TOKEN);
    const input = {
      a: TOKEN,
      n: 3,
      ok: true,
      none: null,
      list: [TOKEN, { jwt: JWT }],
      nested: { deeper: [`Bearer ${TOKEN}`] },
    };
    expect(registry.redactDeep(input)).toEqual({
      a: 'gho_16…9f2c',
      n: 3,
      ok: true,
      none: null,
      list: ['gho_16…9f2c', { jwt: 'eyJhbG…Q_xY' }],
      nested: { deeper: ['Bearer gho_16…9f2c'] },
    });
    expect(input.a).toBe(TOKEN);
  });

  it('shortens credential fields by name, headers included, whatever their value looks like', () => {
    const registry = createSecretRegistry();
    const event = {
      result: { accessToken: 'abcdefghijklmnop', refresh_token: 'r-abcdefghijkl', tokenType: 'bearer' },
      requestHeaders: { authorization: 'OAuth oauth_token="abcdefghijklmnop", oauth_signature="xyz"', accept: '*/*' },
      responseHeaders: { 'set-cookie': 'sid=abcdefghijklmnop; HttpOnly', location: '/cb#token=abcdefghijklmnop' },
    };
    expect(registry.redactDeep(event)).toEqual({
      result: { accessToken: 'abcdef…mnop', refresh_token: 'r-abcd…ijkl', tokenType: 'bearer' },
      requestHeaders: { authorization: 'OAuth oauth_…xyz"', accept: '*/*' },
      responseHeaders: { 'set-cookie': 'sid=ab…Only', location: '/cb#token=abcdef…mnop' },
    });
    expect(registry.redactDeep(registry.redactDeep(event))).toEqual(registry.redactDeep(event));
  });
});

describe('noRedaction', () => {
  it('shows everything as is, for --show-secrets', () => {
    noRedaction.add(TOKEN);
    expect(noRedaction.redact(`${TOKEN} ${JWT}`)).toBe(`${TOKEN} ${JWT}`);
    expect(noRedaction.redactDeep({ t: [TOKEN] })).toEqual({ t: [TOKEN] });
  });
});

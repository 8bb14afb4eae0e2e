/** The login values a custom profile's client entry carries, read without zod (src/profiles/login-values.ts). */
import { describe, expect, it } from 'vitest';
import { loginOf } from '../../src/profiles/login-values.js';

describe('loginOf', () => {
  it('reads the fields, the submit label and the consent label, and nothing else', () => {
    const login = { fields: { username: 'ada', password: 'pw' }, submit: 'Sign in', consent: 'Allow', extra: 1 };
    expect(loginOf({ clientId: 'c', login })).toStrictEqual({
      fields: { username: 'ada', password: 'pw' },
      submit: 'Sign in',
      consent: 'Allow',
    });
  });

  it('leaves consent out when the block has none', () => {
    expect(loginOf({ login: { fields: { u: 'ada' }, submit: 'Go' } })).toStrictEqual({
      fields: { u: 'ada' },
      submit: 'Go',
    });
  });

  it.each([
    ['no client', undefined],
    ['no login block', { clientId: 'c' }],
    ['a login that is not an object', { login: 'ada' }],
    ['fields that are a list', { login: { fields: ['ada'], submit: 'Go' } }],
    ['a field value that is not text', { login: { fields: { u: 1 }, submit: 'Go' } }],
    ['no submit label', { login: { fields: { u: 'ada' } } }],
    ['a consent label that is not text', { login: { fields: { u: 'ada' }, submit: 'Go', consent: true } }],
  ])('counts %s as no login', (_what, client) => {
    expect(loginOf(client)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { getPath, ownValue, setPath, unsetPath } from '../../src/util/dotted.js';

describe('dotted paths', () => {
  it('gets, sets and unsets nested fields, creating objects on the way', () => {
    const doc: Record<string, unknown> = { providerInfo: { acme: 'not an object' } };
    setPath(doc, 'providerInfo.acme.github.accessToken', 't1');
    expect(getPath(doc, 'providerInfo.acme.github.accessToken')).toBe('t1');
    unsetPath(doc, 'providerInfo.acme.github.accessToken');
    expect(doc).toEqual({ providerInfo: { acme: { github: {} } } });
    expect(getPath(doc, 'providerInfo.none.github')).toBeUndefined();
  });

  // Segments come from requests (a host, a Slack workspace id): they must stay field names.
  it.each(['__proto__', 'constructor', 'prototype'])(
    'treats %s as a field name: nothing reaches Object.prototype',
    (key) => {
      const doc: Record<string, unknown> = {};
      setPath(doc, `providerInfo.${key}.polluted`, 'yes');
      setPath(doc, `${key}.polluted`, 'yes');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
      expect(getPath(doc, `providerInfo.${key}.polluted`)).toBe('yes');
      expect(JSON.parse(JSON.stringify(doc))).toEqual(
        JSON.parse(`{"providerInfo":{"${key}":{"polluted":"yes"}},"${key}":{"polluted":"yes"}}`),
      );
      expect(getPath({}, key)).toBeUndefined();
      unsetPath(doc, `providerInfo.${key}`);
      expect(Object.keys(doc.providerInfo as object)).toEqual([]);
    },
  );

  it('reads only own entries of a lookup table', () => {
    const table: Record<string, number> = { a: 1 };
    expect([ownValue(table, 'a'), ownValue(table, 'toString'), ownValue(table, '__proto__')]).toEqual([
      1,
      undefined,
      undefined,
    ]);
  });
});

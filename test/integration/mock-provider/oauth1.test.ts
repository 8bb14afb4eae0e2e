/**
 * OAuth 1.0a RSA-SHA1 (RFC 5849): the signature base string against the RFC's own example, and the mock
 * Jira Server refusing what a real one refuses (bad signature, unknown consumer, replayed nonce or token).
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockProvider, type RunningProvider } from '../../../src/mock-provider/index.js';
import {
  parseAuthorizationHeader,
  percentEncode,
  signatureBaseString,
  signRequest,
  verifySignature,
} from '../../../src/protocol/oauth1-signature.js';
import { createClock, getManual, labData } from '../../helpers/lab.js';

describe('signature base string (RFC 5849 §3.4.1)', () => {
  it('matches the example of RFC 5849 §3.4.1.1 byte for byte', () => {
    const params: Array<[string, string]> = [
      ['oauth_consumer_key', '9djdj82h48djs9d2'],
      ['oauth_token', 'kkk9d7dh3k39sjv7'],
      ['oauth_signature_method', 'HMAC-SHA1'],
      ['oauth_timestamp', '137131201'],
      ['oauth_nonce', '7d8f3e4a'],
      ['oauth_signature', 'ignored'],
      ['c2', ''],
      ['a3', '2 q'],
    ];
    expect(signatureBaseString('POST', 'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b', params)).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it.each([
    ['unreserved characters stay', 'aZ09-._~', 'aZ09-._~'],
    ['RFC 3986 reserved ones are encoded, in upper-case hex', "!*'()", '%21%2A%27%28%29'],
    ['spaces are %20, never +', 'a b', 'a%20b'],
    ['UTF-8 bytes', 'é', '%C3%A9'],
  ])('percent-encodes: %s', (_name, input, expected) => {
    expect(percentEncode(input)).toBe(expected);
  });

  it('signs RSA-SHA1 and verifies only with the matching public key and base string', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const { header, baseString } = signRequest({
      method: 'POST',
      url: 'http://h/x',
      consumerKey: 'ck',
      privateKeyPem: pem,
      nonce: 'n',
      timestamp: 1,
    });
    const sig = parseAuthorizationHeader(header)?.get('oauth_signature') ?? '';
    expect(verifySignature(baseString, sig, publicKey)).toBe(true);
    expect(verifySignature(`${baseString}x`, sig, publicKey)).toBe(false);
    expect(verifySignature(baseString, 'not base64 at all', publicKey)).toBe(false);
  });
});

describe('the mock Jira Server', () => {
  const clock = createClock();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const callback = 'http://127.0.0.1:5999/no-auth/provider-token/jiraserver';
  let jira: RunningProvider;
  beforeAll(async () => {
    const profile = (await labData()).profiles.get('jiraserver')!;
    const publicKeyPem = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    jira = await startMockProvider({
      profile,
      now: clock.now,
      clients: [
        {
          clientId: 'ck',
          clientSecret: '',
          redirectUris: [callback],
          publicKeyPem: createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString(),
        },
        { clientId: 'other', clientSecret: '', redirectUris: [callback], publicKeyPem },
      ],
    });
  });
  afterAll(async () => {
    await jira?.close();
  });

  const post = (path: string, opts: { consumerKey?: string; token?: string; nonce?: string; key?: string }) => {
    const url = `${jira.url}${path}`;
    const { header } = signRequest({
      method: 'POST',
      url,
      consumerKey: opts.consumerKey ?? 'ck',
      privateKeyPem: opts.key ?? pem,
      timestamp: clock.now() / 1000,
      ...(opts.nonce ? { nonce: opts.nonce } : {}),
      ...(opts.token ? { token: opts.token } : { callback: 'oob' }),
    });
    return getManual(url, { method: 'POST', headers: { authorization: header } }).then((r) => ({
      status: r.status,
      fields: new URLSearchParams(r.body),
    }));
  };
  const requestToken = async () =>
    (await post('/plugins/servlet/oauth/request-token', {})).fields.get('oauth_token') ?? '';

  it.each([
    [
      'a signature by another key',
      {
        key: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
      'signature_invalid',
    ],
    ['an unknown consumer', { consumerKey: 'nobody' }, 'consumer_key_unknown'],
    ['a consumer whose key did not sign', { consumerKey: 'other' }, 'signature_invalid'],
  ])('refuses a request-token call with %s: 401 oauth_problem=%s', async (_name, opts, problem) => {
    const res = await post('/plugins/servlet/oauth/request-token', opts);
    expect(res.status).toBe(401);
    expect(res.fields.get('oauth_problem')).toBe(problem);
  });

  it('refuses a replayed nonce', async () => {
    expect((await post('/plugins/servlet/oauth/request-token', { nonce: 'same' })).status).toBe(200);
    expect((await post('/plugins/servlet/oauth/request-token', { nonce: 'same' })).fields.get('oauth_problem')).toBe(
      'nonce_used',
    );
  });

  it('refuses an access token for a request token nobody authorized, then issues one once, and never twice', async () => {
    const rt = await requestToken();
    expect((await post('/plugins/servlet/oauth/access-token', { token: rt })).fields.get('oauth_problem')).toBe(
      'permission_unknown',
    );
    const auth = await getManual(
      `${jira.url}/plugins/servlet/oauth/authorize?oauth_token=${rt}&oauth_callback=${encodeURIComponent(`${callback}?state=s`)}`,
    );
    expect(new URL(auth.location ?? '').searchParams.get('oauth_token')).toBe(rt);
    const first = await post('/plugins/servlet/oauth/access-token', { token: rt });
    expect(first.status).toBe(200);
    expect(first.fields.get('oauth_token')).toBe(jira.control.issued.at(-1)?.accessToken);
    expect((await post('/plugins/servlet/oauth/access-token', { token: rt })).fields.get('oauth_problem')).toBe(
      'token_used',
    );
  });

  it('shows a page, never a redirect, for an oauth_callback that is not registered', async () => {
    const rt = await requestToken();
    const res = await getManual(
      `${jira.url}/plugins/servlet/oauth/authorize?oauth_token=${rt}&oauth_callback=${encodeURIComponent('https://evil.example/cb')}`,
    );
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.body).not.toContain('<script');
  });
});

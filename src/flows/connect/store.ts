/**
 * The callback's server-to-server leg and the stored token, checked from the provider's journal and the
 * API's store for every kind of profile: the code exchange (format, grant type, client authentication,
 * host), the OAuth 1.0a access-token call, or no exchange at all for fragment providers.
 */
import { getPath } from '../../util/dotted.js';
import { JWT_BEARER_ASSERTION_TYPE } from '../engine/contract.js';
import { starHost } from '../../state.js';
import type { ConnectContext } from './steps.js';
import { expectedStorageKey, flowKind } from './expect.js';
import { checkSharingWrite } from './sharing.js';
import type { StepContext } from '../engine/runner.js';

/** The exchange the provider journaled and the token the API stored; the real-browser flow checks these too. */
export function checkExchangeAndStore(ctx: ConnectContext, s: StepContext, sentCode: string | null): void {
  const kind = flowKind(ctx.profile);
  if (!ctx.providerJournal) {
    s.note(
      `no journal: ${ctx.profile.displayName} is a real server the lab does not mock, so the exchange request and the issued token cannot be checked`,
    );
  } else if (kind === 'code') checkCodeExchange(ctx, s, sentCode);
  else if (kind === 'oauth1') checkOAuth1Exchange(ctx, s);
  else {
    const calls = ctx.provider.control.requests.filter((r) => r.endpoint === 'token').length;
    s.expectEqual('no code exchange: the token came in the fragment', 0, calls);
  }
  const key = expectedStorageKey(ctx.profile, {
    teamId: ctx.teamId,
    host: ctx.host,
    sharing: ctx.profile.agent.sharing,
  });
  ctx.storageKey = key;
  const stored = getPath(ctx.api.control.store.user(ctx.userId), key);
  const accessToken = getPath(stored, 'accessToken');
  if (ctx.issuedToken !== undefined) s.expectEqual(`stored ${key}.accessToken`, ctx.issuedToken, accessToken);
  else
    s.check(`stored ${key}.accessToken`, typeof accessToken === 'string' && accessToken !== '', 'a token', accessToken);
  ctx.storedToken = typeof accessToken === 'string' ? accessToken : undefined;
  ctx.secrets.add(ctx.storedToken);
  checkStoredExtras(ctx, s, key, stored);
}

function checkCodeExchange(ctx: ConnectContext, s: StepContext, sentCode: string | null): void {
  const t = ctx.profile.token;
  // The exchange of the code this flow's browser carried: other flows' exchanges may be in the same journal.
  const exchange =
    t === undefined || sentCode === null
      ? undefined
      : ctx.provider.control.requestCarrying('token', t.codeParameter, sentCode);
  s.check(
    `exchange: code (${t?.codeParameter ?? 'code'})`,
    exchange !== undefined,
    sentCode,
    'no token request carried the code the browser carried',
  );
  if (t === undefined || exchange === undefined) return;
  const params = { ...exchange.query, ...exchange.body };
  // Contract §7: the exchange rebuilds redirect_uri from authOrigin, whatever the start used.
  s.expectEqual('exchange: redirect_uri identical to authorize', ctx.redirectUri, params.redirect_uri);
  s.expectEqual('exchange: format', t.format, exchange.format);
  if (t.sendGrantType) s.expectEqual('exchange: grant_type', t.grantType, params.grant_type);
  else s.expectEqual('exchange: no grant_type (noGrantType)', undefined, params.grant_type);
  if (ctx.provider.apiUrl !== undefined) {
    const expected = new URL(ctx.provider.apiUrl).host;
    s.expectEqual(`exchange reached the API host (${ctx.profile.realApiHost ?? ''})`, expected, exchange.headers.host);
  }
  const client = expectedClient(ctx);
  if (t.clientAuth === 'basic') {
    const header = exchange.headers.authorization ?? '';
    const decoded = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : header;
    s.expectEqual('exchange: HTTP Basic client authentication', `${client.id}:${client.secret}`, decoded);
    s.check(
      'exchange: no secret in the parameters',
      params[t.secretParameter] === undefined,
      'none',
      'a secret parameter',
    );
  } else if (t.clientAuth === 'assertion') {
    s.expectEqual('exchange: client_id', client.id, params.client_id);
    s.expectEqual('exchange: client_assertion_type', JWT_BEARER_ASSERTION_TYPE, params.client_assertion_type);
    s.expectEqual('exchange: client_assertion is the client secret', client.secret, params.client_assertion);
  } else {
    s.expectEqual('exchange: client_id', client.id, params.client_id);
    s.expectEqual(`exchange: client secret (${t.secretParameter})`, client.secret, params[t.secretParameter]);
  }
  const issued = ctx.provider.control.issuedFrom(sentCode ?? '').find((i) => i.kind === 'code');
  s.check('provider issued a token for that code', issued !== undefined, 'an access token', 'none');
  ctx.issuedToken = issued?.accessToken;
  ctx.issuedServerToken = issued?.serverToken;
  ctx.secrets.add(ctx.issuedToken);
  ctx.secrets.add(issued?.refreshToken);
  ctx.secrets.add(issued?.serverToken);
}

function checkOAuth1Exchange(ctx: ConnectContext, s: StepContext): void {
  const requestToken = new URL(ctx.callbackHop?.location ?? '', ctx.api.url).searchParams.get('oauth_token') ?? '';
  // The access-token call that names this flow's request token (RFC 5849 §2.3), not another flow's.
  const call = ctx.provider.control.requestsAuthorizedBy('access-token', `oauth_token="${requestToken}"`).at(0);
  s.expectEqual('access-token call answered 200', 200, call?.status);
  const header = call?.headers.authorization ?? '';
  s.check(
    'access-token call signed RSA-SHA1',
    header.includes('oauth_signature_method="RSA-SHA1"'),
    'RSA-SHA1',
    header.slice(0, 60),
  );
  s.check(
    'access-token call names the authorized request token',
    header.includes(`oauth_token="${requestToken}"`),
    requestToken,
    header.slice(0, 80),
  );
  const issued = ctx.provider.control.issuedFrom(requestToken).find((i) => i.kind === 'oauth1');
  s.check('provider issued an access token', issued !== undefined, 'an access token', 'none');
  ctx.issuedToken = issued?.accessToken;
  ctx.secrets.add(ctx.issuedToken);
  ctx.secrets.add(issued?.tokenSecret);
}

function checkStoredExtras(ctx: ConnectContext, s: StepContext, key: string, stored: unknown): void {
  const delivery = ctx.profile.delivery;
  if (delivery.mode === 'fragment') {
    for (const field of delivery.addFromClient) {
      const expected = ctx.lab.config.clients[ctx.profile.id]?.[field];
      const actual = getPath(stored, field);
      s.expectEqual(`stored ${key}.${field} (from the client config)`, expected, actual);
    }
  }
  if (ctx.profile.oauth1 !== undefined && ctx.providerJournal) {
    const requestToken = new URL(ctx.callbackHop?.location ?? '', ctx.api.url).searchParams.get('oauth_token') ?? '';
    const secret = ctx.provider.control.grants.requestTokens.get(requestToken)?.secret;
    s.expectEqual(`stored ${key}.oauthTokenSecret`, secret, getPath(stored, 'oauthTokenSecret'));
    s.note(
      "the stored oauthTokenSecret is the request token's secret, not the access token's, as the real server keeps it (contract §4.1)",
    );
  }
  if (ctx.issuedServerToken !== undefined) {
    const team = ctx.api.control.store.team(ctx.teamId);
    const sub = key.includes('.multiple.') ? `.multiple.${key.slice(key.lastIndexOf('.multiple.') + 10)}` : '';
    const path = `serverProviderToken.${ctx.profile.id}${sub}`;
    s.expectEqual(
      `server token stored on the team (${path})`,
      ctx.issuedServerToken,
      getPath(team, `${path}.accessToken`),
    );
  }
  checkSharingWrite(ctx, s, key, stored);
  if (ctx.host !== undefined)
    s.note(`stored under hosts.${starHost(ctx.host.toLowerCase())}: the host with its dots as "*" (contract §3.1)`);
}

/** The client the exchange must authenticate with: the team's entry for the host, else config.clients. */
function expectedClient(ctx: ConnectContext): { id: string | undefined; secret: string | undefined } {
  if (ctx.host === undefined) {
    const client = ctx.lab.config.clients[ctx.profile.id];
    return { id: client?.clientId, secret: client?.clientSecret };
  }
  const entry = ctx.lab.config.teams.find((t) => t.id === ctx.teamId)?.providerHosts[ctx.profile.id]?.[
    starHost(ctx.host.toLowerCase())
  ];
  return {
    id: typeof entry?.appClientId === 'string' ? entry.appClientId : undefined,
    secret: typeof entry?.appClientSecret === 'string' ? entry.appClientSecret : undefined,
  };
}

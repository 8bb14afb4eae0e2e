/** A profile as `codestream-auth providers` shows it: its flows, wire format and quirks, all read from the data. */
import type { ProviderProfile } from './profile.js';
import { defined } from '../util/defined.js';

export interface ProfileSummary {
  id: string;
  displayName: string;
  realHost: string;
  /** The commands that can walk it. */
  flows: Array<'connect' | 'signup' | 'refresh'>;
  kind: 'oauth2-code' | 'oauth2-fragment' | 'oauth1';
  /** query, form, formQuery or json; absent when no code is exchanged. */
  format?: string;
  clientAuth?: string;
  scopeParameter?: string;
  scopes?: string;
  enterprise: boolean;
  restrictive: boolean;
  mocked: boolean;
  quirks: string[];
}

/** Derives the summary; every quirk line comes from a profile field, so a new profile describes itself. */
export function summarizeProfile(p: ProviderProfile): ProfileSummary {
  const t = p.token;
  const kind = p.oauth1 !== undefined ? 'oauth1' : p.delivery.mode === 'fragment' ? 'oauth2-fragment' : 'oauth2-code';
  const flows: ProfileSummary['flows'] = ['connect'];
  if (p.supportsSignup && p.identity !== undefined) flows.push('signup');
  if (p.supportsRefresh && t !== undefined) flows.push('refresh');
  return {
    id: p.id,
    displayName: p.displayName,
    realHost: p.realHost,
    flows,
    kind,
    ...(t === undefined ? {} : { format: t.format, clientAuth: t.clientAuth }),
    ...(p.oauth1 === undefined ? { scopeParameter: p.authorize.scopeParameter } : {}),
    ...defined({ scopes: p.authorize.scopes }),
    enterprise: p.enterprise,
    restrictive: p.restrictive,
    mocked: p.server === undefined,
    quirks: quirksOf(p),
  };
}

function quirksOf(p: ProviderProfile): string[] {
  const q: string[] = [];
  const a = p.authorize;
  const t = p.token;
  if (p.server !== undefined)
    q.push(
      `custom profile: the real server ${new URL(p.server.authorizeUrl ?? p.server.issuer ?? '').origin} is used, no mock runs`,
    );
  if (p.enterprise)
    q.push('enterprise: client and host come from team.providerHosts (--host); an unregistered host is PRVD-1003');
  if (p.identity?.base === 'hostUrl') q.push("authorize and token live on the org's hostUrl; without one, PRVD-1008");
  if (p.restrictive) q.push('restrictive: the callback is on publicApiUrl and bypasses the auth-origin router');
  if (p.oauth1 !== undefined)
    q.push(
      'OAuth 1.0a: request token, authorize, access token, RSA-SHA1; ' +
        'the state rides in oauth_callback with a special-encoded host and an oasec JWT',
    );
  if (p.delivery.mode === 'fragment')
    q.push(
      `token in the URL fragment as "${p.delivery.tokenField}": ` +
        'the callback answers an HTML page whose script moves it to the query',
    );
  if (p.delivery.mode === 'fragment' && p.delivery.addFromClient.length > 0)
    q.push(`stores ${p.delivery.addFromClient.join(', ')} from the CodeStream client config with the token`);
  if (a.responseType !== 'code') q.push(`response_type=${a.responseType}`);
  if (a.scopeParameter !== 'scope') q.push(`scopes go in "${a.scopeParameter}"`);
  const extras = Object.entries(a.extraParameters).map(([k, v]) => `${k}=${v}`);
  if (extras.length > 0) q.push(`extra authorize parameters: ${extras.join(', ')}`);
  if (a.omitParameters.length > 0) q.push(`authorize takes no ${a.omitParameters.join(', ')}`);
  const server = Object.entries(a.serverTokenParameters).map(([k]) => k);
  if (server.length > 0)
    q.push(`with requestServerToken also "${server.join(', ')}" (a bot token, stored on the team)`);
  if (p.agent.sharing) q.push('the agent connects with sharing=true (pauth sm)');
  if (p.storage.multipleKey !== undefined)
    q.push(`one token per workspace: providerInfo.<team>.${p.id}.multiple.<${p.storage.multipleKey}>`);
  if (p.storage.identityField !== undefined)
    q.push(`each workspace adds providerIdentities "${p.id}::<${p.storage.identityField}>", which a disconnect pulls`);
  const call = p.sharingProfileCall;
  if (call !== undefined)
    q.push(
      `with sharing, the API calls ${call.path} for extra {${Object.keys(call.extra).join(', ')}}; ` +
        'a failed call is PRVD-1007',
    );
  if (p.acceptsClientToken)
    q.push('takes a token the client already has: POST /no-auth/provider-token (others answer PRVD-1011)');
  if (p.rules.redirectUriMatch === 'prefix')
    q.push('accepts any callback that extends the registered one (prefix match)');
  if (p.rules.redirectUriMatch === 'origin') q.push("checks only the callback's origin");
  if (t !== undefined) q.push(...tokenQuirks(p, t));
  return q;
}

// RFC 6749 §5.2 names; a profile that keeps them has nothing to say about its error names.
const RFC_ERROR_NAMES: Record<string, string> = {
  invalidClient: 'invalid_client',
  invalidGrant: 'invalid_grant',
  redirectUriMismatch: 'invalid_grant',
  invalidRequest: 'invalid_request',
};

function tokenQuirks(p: ProviderProfile, t: NonNullable<ProviderProfile['token']>): string[] {
  const q: string[] = [];
  if (!t.sendGrantType) q.push('no grant_type in the exchange (noGrantType)');
  if (t.grantType !== 'authorization_code') q.push(`grant_type=${t.grantType}`);
  if (t.codeParameter !== 'code') q.push(`the code goes in "${t.codeParameter}"`);
  if (t.clientAuth === 'basic') q.push('client authentication with HTTP Basic');
  if (t.clientAuth === 'assertion') q.push('the client secret is sent as a jwt-bearer client_assertion');
  if (t.secretParameter !== 'client_secret') q.push(`the secret goes in "${t.secretParameter}"`);
  if (t.onApiHost) q.push(`the token exchange goes to ${p.realApiHost ?? 'the API host'}`);
  if (t.responseEncoding === 'form-unless-json-accepted') q.push('answers form-encoded unless Accept asks for JSON');
  if (t.errorStatus !== 400) q.push(`errors come with HTTP ${t.errorStatus}`);
  if (t.errorShape === 'ok-envelope') q.push('errors as {ok:false, error}');
  if (Object.keys(t.errorFields).length > 0) q.push(`errors also carry ${Object.keys(t.errorFields).join(', ')}`);
  const names = Object.entries(t.errorNames).filter(([k, v]) => v !== RFC_ERROR_NAMES[k]);
  if (names.length > 0) q.push(`own error names: ${names.map(([, v]) => v).join(', ')}`);
  if (t.reshape !== undefined)
    q.push(
      `answer reshaped before storing: ${Object.entries(t.reshape.assign)
        .map(([k, v]) => `${k} ← ${v}`)
        .join(', ')}`,
    );
  if (t.responseFields.scopes !== undefined) q.push('the answer has "scopes", not "scope"');
  if (t.responseFields.created_at !== undefined) q.push('the answer has "created_at"');
  if (t.expiresIn !== undefined) q.push(`tokens expire after ${t.expiresIn} s`);
  if (p.supportsRefresh)
    q.push(
      `refresh via "${t.refresh.parameter}"` +
        (t.refresh.rotate
          ? ', rotating the refresh token'
          : ', without a new refresh token (the API then wipes the stored one)'),
    );
  if (t.refresh.errorStatus !== undefined) q.push(`a refused refresh answers HTTP ${t.refresh.errorStatus}`);
  return q;
}

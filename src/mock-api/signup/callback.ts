/**
 * The anonymous (sign-up / SSO) branch of provider-token (contract §1.5 step 8) and the signup record every
 * callback leaves behind, on success and on failure (§1.5 steps 5 and 11, §2.4), so the polling IDE learns
 * how the browser leg ended.
 */
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { IdentityConfig } from '../../profiles/identity.js';
import { defined } from '../../util/defined.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import type { TokenData } from '../outbound/exchange.js';
import { queryString } from '../http.js';
import { lookupIdentity, type ProviderIdentity } from '../outbound/identity.js';
import { matchOrCreateUser, saveSignupIdentity } from './match-user.js';
import type { CallbackHooks } from '../routes/provider-token.js';
import { servedHostUrl } from '../outbound/provider-client.js';
import { exchangeForCallback, successLocation } from '../save-token.js';
import type { SignupRecord } from './records.js';

/** Contract §9 identity mocks: a code like mock-<providerUserId>-<providerTeamId>. */
const MOCK_CODE = /^mock.*-(.+)-(.+)$/;

/** Exchange, identity lookup, match or create, store, signup record, success redirect. */
export const signupCallback: NonNullable<CallbackHooks['anon']> = async (ctx, info, req, res) => {
  const profile = ctx.profiles.get(info.provider);
  if (!profile) throw csError('PRVD-1000'); // provider-token resolved it already
  const config = profile.identity;
  const hu = stringOf(info.payload.hu);
  // The state is signed, but its hostUrl came from the start's query: the same allow-list applies here.
  const hostUrl = hu === undefined ? undefined : servedHostUrl(ctx, info.provider, hu);
  if (config?.base === 'hostUrl' && hostUrl === undefined) throw csError('PRVD-1008', 'hostUrl');
  const mock = mockInputs(ctx, req);
  const tokenData =
    mock.token === undefined
      ? await exchangeForCallback(hostUrl === undefined ? ctx : onHost(ctx, info.provider, hostUrl), profile, info)
      : mockToken(mock.token);
  const accessToken = tokenData.accessToken;
  if (!accessToken) throw csError('RAPI-1010', 'token not returned from provider');
  // Contract §1.5 steps 7-8: the code is exchanged first; a provider without identity matching fails after (FM 20).
  if (!config) throw csError('PRVD-1004', `"${info.provider}" has no identity lookup`);
  const identity = await resolveIdentity(ctx, info.provider, config, {
    code: info.code,
    accessToken,
    ...defined({ mockEmail: mock.email, hostUrl }),
  });
  const teamId = stringOf(info.payload.teamId);
  const { user, signupStatus } = matchOrCreateUser(ctx, {
    provider: info.provider,
    identity,
    noSignup: Boolean(info.payload.nosu),
    ...defined({ teamId }),
  });
  saveSignupIdentity(ctx, res, {
    user,
    provider: info.provider,
    identity,
    tokenData,
    ...defined({ hostUrl: hu }),
  });
  ctx.signups.insert(
    { ...recordBase(info.provider, info.payload, info.state), userId: user.id, signupStatus },
    lifetimeOf(req),
  );
  res.redirect(302, successLocation(ctx, profile));
};

/** Who signed in: the contract §9 mock identity for a mock code, else the profile's identity calls with the token. */
export async function resolveIdentity(
  ctx: ApiContext,
  provider: string,
  config: IdentityConfig,
  input: { code: string; accessToken: string; mockEmail?: string; hostUrl?: string },
): Promise<ProviderIdentity> {
  return (
    mockIdentity(input.code, input.accessToken, input.mockEmail) ??
    (await lookupIdentity(config, {
      baseUrl: config.base === 'hostUrl' ? (input.hostUrl ?? '') : (ctx.providerUrls.get(provider) ?? ''),
      accessToken: input.accessToken,
      fetch: ctx.fetch,
      timeoutMs: ctx.exchangeTimeoutMs,
    }))
  );
}

/**
 * Contract §9: the mock inputs (_mockToken, _mockEmail) count only with x-cs-mock-secret equal to the
 * confirmation cheat.
 */
export function hasMockSecret(ctx: ApiContext, req: Request): boolean {
  return req.headers['x-cs-mock-secret'] === ctx.config.secrets.confirmationCheat;
}

/** After any failed callback: the record carries the code (and the provider's own error), userId null. */
export const saveFailedSignup: NonNullable<CallbackHooks['onError']> = (ctx, failure) => {
  const state = queryString(failure.req, 'state') ?? '';
  const base = recordBase(failure.provider, failure.payload ?? {}, state);
  if (base.token === '') return; // no state, no key: nobody can be polling for this one
  ctx.signups.insert(
    {
      ...base,
      userId: null,
      error: failure.code,
      ...defined({ providerError: failure.providerError }),
    },
    lifetimeOf(failure.req),
  );
};

/** Both hooks, as features.ts plugs them in. */
export const signupCallbackHooks: CallbackHooks = { anon: signupCallback, onError: saveFailedSignup };

// Contract §2.4: the record is keyed by the pauth's st, or by the state's JWT when there is none.
function recordBase(
  provider: string,
  payload: Record<string, unknown>,
  state: string,
): Omit<SignupRecord, 'expiresAt' | 'userId'> {
  const token = stringOf(payload.st) ?? state.split('!')[1] ?? '';
  const access = stringOf(payload.access);
  const teamId = stringOf(payload.teamId);
  return {
    token,
    provider,
    ...defined({ providerAccess: access, teamId }),
    ...(payload.sm === true ? { sharing: true } : {}),
  };
}

// Contract §2.4 and §9: expires_in on the callback shortens the record's life and is read as milliseconds
// (even YouTrack's, which is seconds; failure mode 14). SignupRecords caps it at the 10-minute default.
function lifetimeOf(req: Request): number | undefined {
  const ms = Number(queryString(req, 'expires_in'));
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

// Contract §3.1: the token host is the enterprise host, or hostUrl, or the provider's own host.
function onHost(ctx: ApiContext, provider: string, hostUrl: string): ApiContext {
  // note: a copy for the one exchange that follows at once; getters (publicApiUrl) are read as they stand now.
  return { ...ctx, providerUrls: new Map([...ctx.providerUrls, [provider, hostUrl]]) };
}

// Contract §9: _mockToken and _mockEmail count only with x-cs-mock-secret equal to the confirmation cheat.
function mockInputs(ctx: ApiContext, req: Request): { token?: string; email?: string } {
  if (!hasMockSecret(ctx, req)) return {};
  const token = queryString(req, '_mockToken');
  const email = queryString(req, '_mockEmail');
  return defined({ token, email });
}

function mockToken(token: string): TokenData {
  if (token === 'error') throw csError('RAPI-1010', 'token endpoint answered error "invalid_grant"');
  return token === 'noToken' ? {} : { accessToken: token };
}

function mockIdentity(code: string, accessToken: string, email: string | undefined): ProviderIdentity | undefined {
  const match = MOCK_CODE.exec(code);
  if (!match?.[1]) return undefined;
  if (accessToken === 'invalid-token') throw csError('PRVD-1001', 'invalid-token');
  return { userId: match[1], username: `mock_${match[1]}`, email: email ?? `${randomBytes(6).toString('hex')}@y.com` };
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

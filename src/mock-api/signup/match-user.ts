/**
 * The identity connector of sign-in (contract §1.5 step 8, failure modes 15 and 16): match the provider's
 * identity to a CodeStream user by email, or create one, then store the team-less token and the identity.
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'express';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import type { TokenData } from '../outbound/exchange.js';
import { publishUser } from '../http.js';
import type { ProviderIdentity } from '../outbound/identity.js';
import type { UserDoc } from '../store.js';

export interface MatchInput {
  provider: string;
  identity: ProviderIdentity;
  /** The pauth's nosu: sign-in only, never create (the webview's default outside the signup screen). */
  noSignup: boolean;
  /** The pauth's teamId: an unregistered user invited to it is preferred. */
  teamId?: string;
}

export interface MatchResult {
  user: UserDoc;
  signupStatus: 'userCreated' | 'signedIn';
}

/**
 * Email match: a registered user signs in with nosu and is "already registered" (USRC-1006) without it;
 * no match, or only an unregistered one, is PRVD-1005 with nosu; without nosu a missing user is created.
 */
export function matchOrCreateUser(ctx: ApiContext, input: MatchInput): MatchResult {
  const email = input.identity.email.toLowerCase();
  const candidates = ctx.store.users.withEmail(email).filter((u) => !u.deactivated);
  const teamId = input.teamId;
  const invited =
    teamId === undefined ? undefined : candidates.find((u) => !u.isRegistered && u.teamIds.includes(teamId));
  const user =
    invited ??
    candidates.find((u) => u.isRegistered) ??
    candidates.find((u) => !u.isRegistered && u.teamIds.length === 0);
  if (user?.isRegistered) {
    if (!input.noSignup) throw csError('USRC-1006', `"${input.identity.email}" already has an account`);
    return { user, signupStatus: 'signedIn' };
  }
  if (input.noSignup) throw csError('PRVD-1005', `no account for "${input.identity.email}"`);
  if (user) return { user, signupStatus: 'signedIn' };
  return { user: createUser(ctx, input.identity), signupStatus: 'userCreated' };
}

/**
 * Writes providerInfo.<provider> = {userId, accessToken, hostUrl?, ...tokenData} and the one
 * `<provider>::<id>` identity (contract §4.1 "SSO-created user"), confirms an unregistered user, and
 * publishes the directive on user-<id>.
 */
export function saveSignupIdentity(
  ctx: ApiContext,
  res: Response,
  input: { user: UserDoc; provider: string; identity: ProviderIdentity; tokenData: TokenData; hostUrl?: string },
): void {
  const { user, provider, identity } = input;
  const providerIdentities = [
    ...user.providerIdentities.filter((i) => !i.startsWith(`${provider}::`)),
    `${provider}::${identity.userId}`,
  ];
  const info: Record<string, unknown> = { userId: identity.userId, accessToken: input.tokenData.accessToken };
  if (input.hostUrl !== undefined) info.hostUrl = input.hostUrl;
  for (const [field, value] of Object.entries(input.tokenData)) if (value !== undefined) info[field] = value;
  const $set: Record<string, unknown> = { [`providerInfo.${provider}`]: info, providerIdentities };
  // Signing in as an unregistered user confirms them, as a confirmation email would.
  if (!user.isRegistered)
    Object.assign($set, { isRegistered: true, ...(identity.fullName ? { fullName: identity.fullName } : {}) });
  publishUser(ctx, res, ctx.store.updateUser(user.id, { $set }));
}

function createUser(ctx: ApiContext, identity: ProviderIdentity): UserDoc {
  const id = `user-${randomBytes(6).toString('hex')}`;
  const username = (identity.username ?? identity.email.split('@')[0] ?? 'user').replace(/[^A-Za-z0-9-._]/g, '_');
  const user: UserDoc = {
    _id: id,
    id,
    email: identity.email,
    username,
    fullName: identity.fullName ?? '',
    isRegistered: false,
    deactivated: false,
    teamIds: [],
    companyIds: [],
    providerInfo: {},
    providerIdentities: [],
    version: 1,
    modifiedAt: ctx.now(),
    accessToken: `cs-token-${randomBytes(16).toString('hex')}`,
    broadcasterToken: `bc-token-${randomBytes(16).toString('hex')}`,
  };
  ctx.store.users.set(id, user);
  return user;
}

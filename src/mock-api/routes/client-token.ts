/**
 * POST /no-auth/provider-token/:provider, "client token" mode (contract §1.6, failure mode 40): the client
 * posts a token it already has (GitHub through the IDE). The user is always anonymous: the identity is
 * matched or created, the team-less token stored, and the signup record written for check-signup. Errors are
 * JSON 403, never a redirect, and write no signup record.
 */
import type { Router } from 'express';
import { defined } from '../../util/defined.js';
import { isJsonObject } from '../../util/json.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import type { TokenData } from '../outbound/exchange.js';
import { matchOrCreateUser, saveSignupIdentity } from '../signup/match-user.js';
import { hasMockSecret, resolveIdentity } from '../signup/callback.js';

export function registerClientToken(router: Router, ctx: ApiContext): void {
  router.post('/no-auth/provider-token/:provider', async (req, res) => {
    // Contract §1.5 step 1: an unknown provider first, then whether it takes a posted token at all.
    const provider = String(req.params.provider).toLowerCase();
    const profile = ctx.profiles.get(provider);
    if (!profile) throw csError('PRVD-1000');
    if (!profile.acceptsClientToken) throw csError('PRVD-1011', `"${provider}" does not accept a client token`);
    const body: Record<string, unknown> = isJsonObject(req.body) ? req.body : {};
    const token = optional(body, 'token', isString);
    if (token === undefined) throw csError('RAPI-1001', 'token');
    const code = optional(body, 'code', isString);
    const signupToken = optional(body, 'signup_token', isString);
    const noSignup = optional(body, 'no_signup', isBoolean) ?? false;
    const data = optional(body, 'data', isJsonObject);
    const mockEmail = hasMockSecret(ctx, req) ? optional(body, '_mockEmail', isString) : undefined;

    const config = profile.identity;
    if (!config) throw csError('PRVD-1004', `"${provider}" has no identity lookup`);
    const identity = await resolveIdentity(ctx, provider, config, {
      code: code ?? '',
      accessToken: token,
      ...defined({ mockEmail }),
    });
    const { user, signupStatus } = matchOrCreateUser(ctx, { provider, identity, noSignup });
    const tokenData: TokenData = { accessToken: token, ...defined({ data }) };
    saveSignupIdentity(ctx, res, { user, provider, identity, tokenData });
    // note: without a signup token nobody can poll for the result, so no record is kept.
    if (signupToken !== undefined) ctx.signups.insert({ token: signupToken, provider, userId: user.id, signupStatus });
    res.json({});
  });
}

// Contract §1: an absent parameter is undefined, one of the wrong type is RAPI-1012 naming it.
function optional<T>(body: Record<string, unknown>, name: string, is: (value: unknown) => value is T): T | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (!is(value)) throw csError('RAPI-1012', name);
  return value;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';

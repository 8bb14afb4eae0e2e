/**
 * The provider's identity endpoints (contract §3.2 "Identity lookups": GitHub /user and /user/emails,
 * GitLab /api/v4/user and /users/<id>, Bitbucket /2.0/user and /user/emails, Okta /oauth2/v1/userinfo),
 * answered from the profile's identity block. Each needs a Bearer token this provider issued and did not
 * revoke (RFC 6750 §3.1); the account a token sees is fixed the first time it asks.
 */
import type { Request, Response, Router } from 'express';
import type { IdentityCall, MockAccount } from '../profiles/identity.js';
import type { ProviderContext } from './context.js';
import { takeFault } from './context.js';
import { ProviderHttpError, bearerError } from './errors.js';

interface IdentityState {
  seeded: MockAccount;
  /** One-shot: the account the next token that asks gets, over the seeded one. */
  next: Partial<MockAccount> | undefined;
  byToken: Map<string, MockAccount>;
  /** Who is signed in at the browser carrying a state (signInAs): per-person identities of concurrent runs. */
  byState: Map<string, Partial<MockAccount>>;
}

// Kept beside the context rather than in it, so the identity feature stays in this file.
const states = new WeakMap<ProviderContext, IdentityState>();

/** Mounts one GET route per identity call of the profile; a profile without identity gets none. */
export function registerIdentity(router: Router, ctx: ProviderContext): void {
  const identity = ctx.profile.identity;
  if (!identity) return;
  states.set(ctx, { seeded: identity.account, next: undefined, byToken: new Map(), byState: new Map() });
  for (const call of identity.calls) {
    router.get(routePath(call.path), (req, res) => answer(ctx, call, req, res));
  }
}

/** Sets who signs in with the next token that asks (no public email, no primary email, a known email…). */
export function setNextIdentity(ctx: ProviderContext, patch: Partial<MockAccount>): void {
  const state = states.get(ctx);
  if (state) state.next = { ...state.next, ...patch };
}

/** Sets who is signed in at the browser that carries `state`: every token issued through it sees that account. */
export function signInAs(ctx: ProviderContext, state: string, patch: Partial<MockAccount>): void {
  states.get(ctx)?.byState.set(state, patch);
}

/** Forgets the next identity and every token's account. */
export function resetIdentity(ctx: ProviderContext): void {
  const state = states.get(ctx);
  if (!state) return;
  state.next = undefined;
  state.byToken.clear();
  state.byState.clear();
}

/** True for a path one of the profile's identity routes answers (for the journal). */
export function isIdentityPath(ctx: ProviderContext, path: string): boolean {
  return (ctx.profile.identity?.calls ?? []).some((c) => pathPattern(c.path).test(path));
}

/** Fills an answer template with an account's values (see the profile's `answer` field). */
export function renderAnswer(template: unknown, account: MockAccount): unknown {
  const values: Record<string, string | number | boolean | null> = {
    id: account.id,
    username: account.username,
    fullName: account.fullName,
    email: account.email,
    publicEmail: account.publicEmail ? account.email : null,
    primaryEmail: account.primaryEmail,
  };
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = /^\{(\w+)\}$/.exec(node);
      if (whole?.[1] !== undefined && whole[1] in values) return values[whole[1]];
      return node.replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name] ?? '') : m));
    }
    if (Array.isArray(node)) return node.map(fill);
    if (node !== null && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v)]));
    return node;
  };
  return fill(template);
}

async function answer(ctx: ProviderContext, call: IdentityCall, req: Request, res: Response): Promise<void> {
  const fault = takeFault(ctx, 'identity');
  if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
  if (fault?.kind === 'status') {
    const body = { message: fault.body ?? 'identity lookup failed' };
    throw new ProviderHttpError(fault.status, { kind: 'json', body });
  }
  const header = req.headers.authorization ?? '';
  const token = /^Bearer /i.test(header) ? header.slice(7).trim() : '';
  if (!token || !ctx.grants.isActive(token) || fault?.kind === 'oauth-error') {
    const description = token ? 'the access token is unknown, expired or revoked' : 'a Bearer access token is required';
    throw bearerError(401, 'invalid_token', description);
  }
  const account = accountFor(ctx, token);
  const id = req.params.id;
  if (typeof id === 'string' && id !== String(account.id)) throw bearerError(404, 'not_found', `no user "${id}"`);
  res.set('Cache-Control', 'no-store').json(renderAnswer(call.answer, account));
}

function accountFor(ctx: ProviderContext, token: string): MockAccount {
  const state = states.get(ctx);
  if (!state) throw new Error('the identity routes of this provider were never registered');
  let account = state.byToken.get(token);
  if (!account) {
    const person = personOf(ctx, state, token);
    account = person === undefined ? { ...state.seeded, ...state.next } : { ...state.seeded, ...person };
    if (person === undefined) state.next = undefined;
    state.byToken.set(token, account);
  }
  return account;
}

// The person of the browser the token's authorize came through, by the state that authorize carried.
function personOf(ctx: ProviderContext, state: IdentityState, token: string): Partial<MockAccount> | undefined {
  if (state.byState.size === 0) return undefined;
  const code = ctx.grants.byAccessToken(token)?.code;
  const grantState = code === undefined ? undefined : ctx.grants.codes.get(code)?.state;
  return grantState === undefined ? undefined : state.byState.get(grantState);
}

// Express 5 paths treat "{…}" as optional groups, so the profile's "{id}" becomes a named parameter.
function routePath(path: string): string {
  return path.replace(/\{id\}/g, ':id');
}

function pathPattern(path: string): RegExp {
  const source = path
    .split('{id}')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}$`);
}

/**
 * Sign-up (SSO) against a CodeStream API the lab did not start (`signup --api-url`): the webview's signup token,
 * the anonymous start, the provider, the callback chain, then the agent polls `PUT /no-auth/check-signup`
 * (contract §5) until the login package, whose me-object must hold the provider's token; single use.
 */
import { randomUUID } from 'node:crypto';
import { getPath } from '../../util/dotted.js';
import { isJsonObject } from '../../util/json.js';
import { decodeState } from '../../state.js';
import { claimsOf, UUID_V4 } from '../engine/checks.js';
import { SIGNUP_PAUTH_LIFETIME_S } from '../engine/contract.js';
import { need, type Step } from '../engine/runner.js';
import { noteSkipped, remoteConnectSteps } from './connect.js';
import type { RemoteContext } from './context.js';
import { checkStartRedirect, step } from './start.js';

/** The lab's sign-up checks a remote run cannot make. */
const SIGNUP_SKIPPED = [
  'the signup token in the start request the API received (its journal)',
  "the provider's code exchange and identity calls (the API's outbound calls)",
  'the signup record and its user (the store)',
  'other environments saw nothing',
];

export interface RemoteSignupContext extends RemoteContext {
  signupToken?: string;
}

// The connect's redirect back and callback chain are the sign-up's too (contract §1.4).
const reuse = (id: string): Step<RemoteSignupContext> => {
  const found = remoteConnectSteps.find((s) => s.id === id);
  if (!found) throw new Error(`remote connect has no step "${id}"`);
  return found;
};

export const remoteSignupSteps: readonly Step<RemoteSignupContext>[] = [
  step('signup-token', 'Webview makes a signup token', async (ctx, s) => {
    ctx.signupToken = randomUUID();
    s.check('signup token is a UUID v4', UUID_V4.test(ctx.signupToken), 'a UUID v4', ctx.signupToken);
    return ctx.signupToken;
  }),

  step('start', 'Browser opens the sign-up start URL; the API redirects to the provider', async (ctx, s) => {
    const token = need(ctx.signupToken, 'signup token', s);
    const url = `${ctx.apiUrl}/web/provider-auth/${ctx.profile.id}?signupToken=${encodeURIComponent(token)}`;
    const { hop, location, shape } = await checkStartRedirect(ctx, s, url);
    ctx.sentState = shape.values.get('state') ?? '';
    ctx.redirectUri = shape.values.get('redirect_uri') ?? '';
    const claims = claimsOf(s, 'state JWT', decodeState(ctx.sentState).jwt);
    s.expectEqual('state JWT type', 'pauth', claims.type);
    s.expectEqual('state JWT userId', 'anon', claims.userId);
    s.expectEqual('state JWT st is the signup token', token, claims.st);
    s.expectEqual(
      'state JWT lifetime (exp − iat, s)',
      SIGNUP_PAUTH_LIFETIME_S,
      Number(claims.exp) - Number(claims.iat),
    );
    const lab = ctx.labProvider;
    if (lab) {
      s.expectEqual('authorize origin (the lab provider)', new URL(lab.provider.url).origin, location?.origin);
      s.expectEqual('client_id (the lab config client)', lab.clientId, shape.values.get('client_id'));
      s.expectEqual('callback URL (authOrigin/provider-token/<p>)', lab.redirectUri, ctx.redirectUri);
    }
    if (location) ctx.origins.set(location.origin, 'provider');
    ctx.authorizeHop = hop;
    return `302 → ${location?.origin ?? ''}${location?.pathname ?? ''}`;
  }),

  reuse('authorize'),
  reuse('callback'),

  step('poll', 'Agent polls PUT /no-auth/check-signup until the login package', async (ctx, s) => {
    const token = need(ctx.signupToken, 'signup token', s);
    const until = ctx.now() + ctx.timeoutMs;
    let answer = await ctx.client.checkSignup(token, ctx.signal);
    // Contract §5: 403 AUTH-1006 while the record is pending; the first 200 is the login package.
    while (answer.status === 403 && answer.body.code === 'AUTH-1006' && ctx.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await ctx.client.checkSignup(token, ctx.signal);
    }
    const body = answer.body;
    const user = isJsonObject(body.user) ? body.user : {};
    const delivered = getPath(user, `providerInfo.${ctx.profile.id}.accessToken`);
    // The package's tokens are secrets before any check can show them; the detail is the answer's first bytes.
    for (const secret of [body.accessToken, body.broadcasterToken, delivered])
      ctx.secrets.add(typeof secret === 'string' ? secret : undefined);
    const detail = JSON.stringify(body).slice(0, 80);
    s.expectEqual('check-signup answers 200 with the login package', 200, answer.status, detail);
    s.check(
      'CS access token present',
      typeof body.accessToken === 'string' && body.accessToken !== '',
      'a token',
      'none',
    );
    s.expectEqual('provider', ctx.profile.id, body.provider);
    const issued = ctx.labProvider?.provider.control.issuedFrom(ctx.code ?? '').find((i) => i.kind === 'code');
    if (ctx.labProvider)
      s.expectEqual('me-object token is the one the lab provider issued', issued?.accessToken, delivered);
    else
      s.check(
        `me-object providerInfo.${ctx.profile.id}.accessToken present`,
        typeof delivered === 'string',
        'a token',
        'none',
      );
    if (typeof delivered === 'string') ctx.deliveredToken = delivered;
    return String(body.signupStatus);
  }),

  step('single-use', 'A second check-signup with the same token answers AUTH-1006', async (ctx, s) => {
    const answer = await ctx.client.checkSignup(need(ctx.signupToken, 'signup token', s), ctx.signal);
    s.expectEqual('status', 403, answer.status);
    s.expectEqual('code', 'AUTH-1006', answer.body.code);
    noteSkipped(s, SIGNUP_SKIPPED);
    return 'the record was deleted after its first answer';
  }),
];

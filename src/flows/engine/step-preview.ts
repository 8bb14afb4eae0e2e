/** For `--step`: the request a step is about to make, computed from what earlier steps learned. */
import type { Hop } from '../../agent-sim/browser.js';
import { startUrlOf } from '../connect/browser.js';
import { storageKeyOf, type ConnectContext } from '../connect/steps.js';
import { labOrigins, type AgentContext } from './context.js';
import { refreshQuery, type RefreshContext } from '../refresh/steps.js';
import { signupStartUrl, type SignupContext } from '../signup/steps.js';

// The browser's next hop: the Location the previous hop answered with.
function nextHop(ctx: AgentContext, hop: Hop | undefined, to: string): string {
  const target = hop === undefined ? undefined : ctx.browser.locationOf(hop)?.href;
  return `GET ${target ?? '(the Location of the previous hop)'} (browser → ${to})`;
}

/** The steps connect, sign-up and refresh share that are not one request. */
function previewCommonStep(stepId: string): string | undefined {
  return stepId === 'isolation' ? "no request: read the other environments' and the router's journals" : undefined;
}

/** One line such as `GET http://127.0.0.1:5001/users/me (agent → api)`; undefined for unknown steps. */
export function previewConnectStep(stepId: string, ctx: ConnectContext): string | undefined {
  const api = ctx.api.url;
  const realBrowser = 'openUrl' in ctx;
  switch (stepId) {
    case 'login':
      return `GET ${api}/users/me (agent → api, Bearer token)`;
    case 'auth-code':
      return `GET ${api}/provider-auth-code?teamId=${encodeURIComponent(ctx.teamId)} (agent → api, Bearer token)`;
    case 'subscribe':
      return `WebSocket ${api.replace(/^http/, 'ws')}/broadcaster: subscribe to user-${ctx.userId} (agent → broadcaster)`;
    case 'start':
      return `GET ${startUrlOf(ctx)} (browser → api)`;
    case 'authorize':
      return nextHop(ctx, ctx.authorizeHop, 'provider');
    case 'route':
      return nextHop(ctx, ctx.callbackHop, 'router');
    case 'callback':
      return realBrowser
        ? 'no request: read the provider, router and API journals of the hops the browser made'
        : nextHop(ctx, ctx.apiCallbackHop, 'api');
    case 'success-page':
      return nextHop(ctx, ctx.successHop, ctx.lab.successPage === 'api' ? 'api' : 'marketing');
    case 'open-browser':
      return `open ${startUrlOf(ctx)} in your browser`;
    case 'wait-callback':
      return `wait for the browser's GET ${ctx.lab.authOrigin}/provider-token/${ctx.profile.id} (browser → router → api)`;
    case 'broadcast':
      return `wait for the directive on user-${ctx.userId} (broadcaster → agent)`;
    default:
      return previewCommonStep(stepId);
  }
}

/** The sign-up steps (with and without --poll): the webview's token, the poller, the anonymous browser leg. */
export function previewSignupStep(stepId: string, ctx: SignupContext): string | undefined {
  const checkSignup = `PUT ${ctx.api.url}/no-auth/check-signup {"token":"${ctx.signupToken ?? ''}"}`;
  switch (stepId) {
    case 'signup-token':
      return 'no request: the webview makes a UUID v4 signup token';
    case 'poll-start':
      return `${checkSignup} now and every ${ctx.intervalMs} ms until an answer other than AUTH-1006, giving up after ${ctx.timeoutMs / 1000} s (agent → api, in the background)`;
    case 'start':
      return `GET ${signupStartUrl(ctx, ctx.signupToken ?? '')} (browser → api)`;
    case 'authorize':
      return nextHop(ctx, ctx.authorizeHop, 'provider');
    case 'route':
      return nextHop(ctx, ctx.callbackHop, 'router');
    case 'callback':
      // In proxy mode the router already relayed the environment's answer during the route step.
      return ctx.routedAnswer !== undefined
        ? "no request: the router relayed the API's answer; read the provider's journal"
        : nextHop(ctx, ctx.apiCallbackHop, 'api');
    case 'result-page': {
      const target = ctx.resultHop === undefined ? undefined : ctx.browser.locationOf(ctx.resultHop);
      return nextHop(ctx, ctx.resultHop, (target && labOrigins(ctx.lab).get(target.origin)) ?? 'api');
    }
    case 'poll':
      return `wait for the poller's ${checkSignup} to answer with the login package (agent → api)`;
    case 'login-package':
      return 'no request: read the login package the poll returned';
    case 'single-use':
      return `${checkSignup} once more (agent → api)`;
    default:
      return previewCommonStep(stepId);
  }
}

/** The connect steps, then the refresh call and its broadcast. */
export function previewRefreshStep(stepId: string, ctx: RefreshContext): string | undefined {
  switch (stepId) {
    case 'refresh-call': {
      const key = storageKeyOf(ctx);
      return `GET ${ctx.api.url}/provider-refresh/${ctx.profile.id}?${refreshQuery(ctx, key)} (agent → api, Bearer token)`;
    }
    case 'refresh-broadcast':
      return `wait for the directive with the refreshed ${storageKeyOf(ctx)}.accessToken on user-${ctx.userId} (broadcaster → agent)`;
    default:
      return previewConnectStep(stepId, ctx);
  }
}

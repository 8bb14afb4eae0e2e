/** For `--step`: the request a connect step is about to make, computed from what earlier steps learned. */
import type { Hop } from '../agent-sim/browser.js';
import { startUrlOf } from './connect-browser.js';
import type { ConnectContext } from './connect.js';

/** One line such as `GET http://127.0.0.1:5001/users/me (agent → api)`; undefined for unknown steps. */
export function previewConnectStep(stepId: string, ctx: ConnectContext): string | undefined {
  const api = ctx.api.url;
  const next = (hop: Hop | undefined, from: string): string => {
    const target = hop === undefined ? undefined : ctx.browser.locationOf(hop)?.href;
    return `GET ${target ?? '(the Location of the previous hop)'} (browser → ${from})`;
  };
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
      return next(ctx.authorizeHop, 'provider');
    case 'route':
      return next(ctx.callbackHop, 'router');
    case 'callback':
      return realBrowser ? 'no request: read the provider, router and API journals of the hops the browser made' : next(ctx.apiCallbackHop, 'api');
    case 'success-page':
      return next(ctx.successHop, ctx.api.ctx.successPage === 'api' ? 'api' : 'marketing');
    case 'open-browser':
      return `open ${startUrlOf(ctx)} in your browser`;
    case 'wait-callback':
      return `wait for the browser's GET ${ctx.lab.authOrigin}/provider-token/${ctx.profile.id} (browser → router → api)`;
    case 'broadcast':
      return `wait for the directive on user-${ctx.userId} (broadcaster → agent)`;
    default:
      return undefined;
  }
}

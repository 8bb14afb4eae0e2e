/**
 * The API features beyond the connect skeleton, wired in one place: each later feature (sign-up mode,
 * check-signup, refresh, provider actions) adds its handler here rather than editing the app.
 */
import type { ApiExtensions } from './index.js';
import { registerCheckSignup } from './routes/check-signup.js';
import { signupStart } from './routes/signup-start.js';
import { signupCallbackHooks } from './signup/callback.js';
import { registerMsTeamsConnectCode } from './actions/msteams-bot.js';
import { registerProviderAction } from './routes/provider-action.js';
import { registerProviderRefresh } from './routes/provider-refresh.js';
import { registerProviderDeauth } from './routes/provider-deauth.js';
import { registerClientToken } from './routes/client-token.js';

export function defaultApiExtensions(): ApiExtensions {
  return {
    signupStart,
    callback: signupCallbackHooks,
    routes: [
      registerProviderAction,
      registerMsTeamsConnectCode,
      registerCheckSignup,
      registerProviderRefresh,
      registerProviderDeauth,
      registerClientToken,
    ],
  };
}

/**
 * The start routes: GET /no-auth/provider-auth/:provider (contract §1.3) and, in connect mode,
 * GET /web/provider-auth/:provider?code=… (the seed's entry). Every error is a 302 to
 * /web/error?code=<code>&provider=<provider>, with no state (contract §1.3 step 8).
 */
import type { Request, Response, Router } from 'express';
import { encodeState } from '../../state.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { buildAuthorizeUrl } from '../authorize-url.js';
import type { ApiContext } from '../context.js';
import { defined } from '../../util/defined.js';
import { CsError, WebErrorRedirect, csError } from '../cs-errors.js';
import { queryString, requiredQueryString } from '../http.js';
import { startOAuth1 } from '../outbound/oauth1-consumer.js';
import { decodeToken } from '../pauth.js';
import { callbackUrl, resolveClient, servedHostUrl } from '../outbound/provider-client.js';

/** The start handler of one mode; the sign-up mode of /web/provider-auth plugs in here too. */
export type StartHandler = (ctx: ApiContext, req: Request, res: Response, provider: string) => Promise<void>;

export function registerProviderAuth(router: Router, ctx: ApiContext, webModes: { signup?: StartHandler } = {}): void {
  router.get('/no-auth/provider-auth/:provider', (req, res) => start(ctx, req, res, connectStart));
  router.get('/web/provider-auth/:provider', (req, res) => {
    // note: the seed opens /web/provider-auth with the user's pauth code; without a code it is the SSO start.
    // Presence decides, not a usable value: `code=` or a repeated code is a broken connect (RAPI-1001), not a sign-up.
    const hasCode = Object.hasOwn(req.query, 'code');
    // Contract §1.4: the SSO start answers an unknown service with SWEB-1000, not PRVD-1000.
    if (!hasCode && webModes.signup) return start(ctx, req, res, webModes.signup, 'SWEB-1000');
    return start(ctx, req, res, connectStart);
  });
}

async function start(
  ctx: ApiContext,
  req: Request,
  res: Response,
  handler: StartHandler,
  unknownProvider: 'PRVD-1000' | 'SWEB-1000' = 'PRVD-1000',
): Promise<void> {
  const provider = String(req.params.provider).toLowerCase();
  try {
    if (!ctx.profiles.has(provider)) throw csError(unknownProvider);
    await handler(ctx, req, res, provider);
  } catch (err) {
    // A garbage code decodes to null and the real server's TypeError shows up as code=undefined (contract
    // §1.3 step 4); any other error is the mock's own bug, which the journal keeps.
    const code = err instanceof CsError ? err.code : 'undefined';
    const expected = err instanceof CsError || err instanceof UndecodableCode;
    throw new WebErrorRedirect(
      [
        ['code', code],
        ['provider', provider],
      ],
      expected ? undefined : err,
    );
  }
}

/** The real server's TypeError on a pauth code that does not decode (it reads `type` of null). */
class UndecodableCode extends TypeError {
  constructor() {
    super('cannot read properties of null (reading "type")');
  }
}

/** Connect mode: decode (never verify) the pauth, build the state and redirect to the provider (contract §1.3). */
export const connectStart: StartHandler = async (ctx, req, res, provider) => {
  const code = requiredQueryString(req, 'code');
  const payload = decodeToken(code);
  if (payload === null) throw new UndecodableCode();
  if (payload.type !== 'pauth') throw csError('AUTH-1002', 'not a provider authorization token');
  const profile = ctx.profiles.get(provider);
  if (!profile) throw csError('PRVD-1000');
  // Step 5: the host is decoded and lowercased; the team of the pauth says whether it is registered.
  const host = decodedParam(queryString(req, 'host'), 'host')?.toLowerCase();
  const client = resolveClient(ctx, profile, payload.teamId, host);
  if (profile.oauth1 !== undefined) return startOAuth1(ctx, res, profile, client, code);
  const providerUrl = hostUrlBase(ctx, profile, req) ?? client.baseUrl;
  const state = encodeState({
    env: String(ctx.env.callbackEnvironment),
    jwt: code,
    ...defined({ host: client.host }),
  });
  const requestServerToken = queryString(req, 'requestServerToken') !== undefined;
  const redirectUri = callbackUrl(ctx, profile, 'start');
  res.redirect(
    302,
    buildAuthorizeUrl(profile, {
      providerUrl,
      clientId: client.clientId,
      redirectUri,
      state,
      requestServerToken,
      client: client.extra,
    }),
  );
};

// note: the real connect route has no hostUrl (Okta is sign-in only); the lab lets a connect name a hostUrl
// the lab serves, so Okta's connect can be walked too. An unknown one is PRVD-1003, never a call elsewhere.
function hostUrlBase(ctx: ApiContext, profile: ProviderProfile, req: Request): string | undefined {
  if (profile.identity?.base !== 'hostUrl') return undefined;
  const hostUrl = decodedParam(queryString(req, 'hostUrl'), 'hostUrl');
  if (hostUrl === undefined || hostUrl === '') throw csError('PRVD-1008', 'hostUrl');
  return servedHostUrl(ctx, profile.id, hostUrl);
}

function decodedParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    throw csError('RAPI-1012', name);
  }
}

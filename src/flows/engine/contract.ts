/**
 * Values the checks expect, written from the contract (/work/shared/docs/codestream-contract.md), not read
 * from the mocks: the checks are an oracle of the contract, and an oracle that imports the system's own
 * constant agrees with it whatever it says. Flows import only types from src/mock-*.
 */

/**
 * Azure DevOps' exchange sends the client secret as a jwt-bearer client_assertion
 * (contract §3.2, the azuredevops row: `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).
 */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * The API routes a browser loads (contract §1.1 route table): the start routes `/no-auth/provider-auth/:provider`
 * and `/web/provider-auth/:provider`, the callback `/no-auth/provider-token/:provider`, and the pages
 * `/web/error`, `no-auth/web/error`, `/web/provider-connected/:provider`, `/web/signed-in`. Every other route
 * is the agent's (users/me, check-signup, provider-auth-code…). The New Relic login callback `/~nrlogin/:st`
 * is left out: the lab serves no New Relic login.
 */
export const BROWSER_ROUTE = /^\/(?:web\/|no-auth\/(?:provider-auth|provider-token|web)\/)/;

/**
 * What the MS Teams bot answers once a connect code signed the team in (contract §7, "MS Teams sign-in"
 * step 3). The contract gives no wording for this reply (it quotes only failure mode 37's "Oops, we hit a
 * snag…"), so this is the lab's wording, pinned here so that a change to the bot shows as a failed check.
 */
export const TEAMS_CONNECTED_REPLY = 'You are connected: CodeStream will post here for your team.';

/**
 * The keys of a refresh directive's `$set` besides the provider key (contract §1.10, "Refresh broadcast": one
 * key holding the whole merged provider object plus `modifiedAt`; the versioned write adds `version`, §4.1).
 * The directive has no `$unset`.
 */
export const REFRESH_SET_EXTRA_KEYS = ['modifiedAt', 'version'] as const;

/**
 * Where a refresh refusal carries its text (contract §1.10, "State errors carry `reason`"): `reason`, or
 * `info: {message}` when no token is stored.
 */
export const REFRESH_UNSUPPORTED_REASON = 'token refresh not supported by provider';
export const REFRESH_MISSING_AUTH_INFO = { message: 'Missing auth info' } as const;

/** What the MS Teams bot says to a wrong or expired connect code (contract failure mode 37, quoted as far as given). */
export const TEAMS_SNAG_REPLY_START = 'Oops, we hit a snag…';

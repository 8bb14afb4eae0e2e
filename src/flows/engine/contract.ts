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

/** A connect's pauth lives 10 min (contract §1.2 "Expiry is 10 min (600 s)", §2.1 table, pauth row 1). */
export const CONNECT_PAUTH_LIFETIME_S = 600;

/** The sign-up pauth of /web/provider-auth lives 2 min (contract §1.4 "Expiry is **2 min**", §2.1 pauth row 2). */
export const SIGNUP_PAUTH_LIFETIME_S = 120;

/** A signup record lives 10 min from when provider-token wrote it (contract §2.4, §5 "Lifetime"). */
export const SIGNUP_RECORD_LIFETIME_S = 600;

/** A Slack interactive call's timestamp must be within 300 s, else 403 RAPI-1003 (contract §7). */
export const SLACK_TIMESTAMP_WINDOW_S = 300;

/** The error code of a refused provider action: bad signature, stale timestamp, unknown app (contract §7). */
export const PROVIDER_ACTION_REFUSED = 'RAPI-1003';

/**
 * The MS Teams bot's answer to a wrong or expired connect code (contract failure mode 37: "Oops, we hit a
 * snag…"); the contract quotes only its opening, so a reply is checked to start with it.
 */
export const TEAMS_SNAG_REPLY_START = 'Oops, we hit a snag…';

/**
 * Slack sharing mode's profile call (contract §3.2, Slack: `users.info?user=<user_id>&include_locale=true`): the
 * query the API must send, in that order, with the user id the token answer carried.
 */
export function slackUsersInfoQuery(userId: string): string {
  return `user=${encodeURIComponent(userId)}&include_locale=true`;
}

/** The webview polls check-signup every 5 s and gives up after 300 s (contract "differs" #5, §6.2). */
export const WEBVIEW_POLL_INTERVAL_MS = 5_000;
export const WEBVIEW_POLL_GIVE_UP_MS = 300_000;

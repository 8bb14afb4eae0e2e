/**
 * Failure scenarios of "Connect to X" on the browser's way (start, provider, state), from the contract's
 * "Failure modes worth simulating" (FM n) and oauth-rules-and-quirks §3/§5. Data only.
 */
import type { Scenario } from './types.js';

const ELEVEN_MIN = 11 * 60_000;

const connect = (s: Omit<Scenario, 'flow'>): Scenario => ({ flow: 'connect', ...s });

/** The browser leg: the start route, the provider and the state on its way back. */
export const connectBrowserScenarios: readonly Scenario[] = [
  // Starting the flow.
  connect({
    name: 'auth-code-without-team',
    title: 'The agent asks for a pauth code without a team',
    source: 'contract FM 1, §1.2',
    injects: 'GET /provider-auth-code with an empty teamId',
    observes: '403 RAPI-1001 with info "teamId"; the browser never starts',
    injections: [{ kind: 'agent-team', teamId: '' }],
    expect: { outcome: 'api-error', from: 'auth-code', status: 403, code: 'RAPI-1001', info: 'teamId' },
  }),
  connect({
    name: 'auth-code-foreign-team',
    title: 'The agent asks for a pauth code for a team its user is not on',
    source: 'contract FM 1, §1.2',
    injects: 'GET /provider-auth-code?teamId=team-other for a user of team-acme only',
    observes: '403 RAPI-1009 (readAuth); the browser never starts',
    injections: [{ kind: 'agent-team', teamId: 'team-other' }],
    expect: { outcome: 'api-error', from: 'auth-code', status: 403, code: 'RAPI-1009' },
  }),
  connect({
    name: 'unknown-provider-at-start',
    title: 'The start URL names a provider CodeStream does not know',
    source: 'contract FM 2, §1.3 step 1',
    injects: 'the start request goes to /web/provider-auth/blahblah',
    observes: '/web/error?code=PRVD-1000&provider=blahblah, with no state',
    injections: [{ kind: 'rewrite-provider', hop: 'start', to: 'blahblah' }],
    expect: { outcome: 'web-error', from: 'start', code: 'PRVD-1000', state: false },
  }),
  connect({
    name: 'start-without-code',
    title: 'The start URL has no pauth code',
    source: 'contract FM 2, §1.3 step 3',
    injects: 'the code parameter is removed from /no-auth/provider-auth (on /web/provider-auth that starts a sign-up)',
    observes: '/web/error?code=RAPI-1001, with no state',
    entry: 'no-auth',
    injections: [{ kind: 'rewrite-query', hop: 'start', remove: ['code'] }],
    expect: { outcome: 'web-error', from: 'start', code: 'RAPI-1001', state: false },
  }),
  connect({
    name: 'start-with-garbage-code',
    title: 'The start URL carries a pauth code that is not a JWT',
    source: 'contract FM 3, §1.3 step 4',
    injects: 'code=not-a-jwt on the start request',
    observes: '/web/error?code=undefined (the real server\'s TypeError), with no state',
    injections: [{ kind: 'rewrite-query', hop: 'start', set: { code: 'not-a-jwt' } }],
    expect: { outcome: 'web-error', from: 'start', code: 'undefined', state: false },
  }),
  connect({
    name: 'expired-pauth-still-starts',
    title: 'An expired pauth is only decoded at the start, so it fails at the callback',
    source: 'contract FM 3, §1.3 step 4',
    injects: 'the clock moves 11 min between minting the pauth and opening the start URL',
    observes: 'the start still redirects to the provider; the callback ends on /web/error?code=AUTH-1005',
    injections: [{ kind: 'advance-clock', before: 'start', ms: ELEVEN_MIN, why: 'the IDE opens the URL late' }],
    expect: { outcome: 'web-error', from: 'callback', code: 'AUTH-1005', state: true },
  }),

  // At the provider.
  connect({
    name: 'consent-denied',
    title: 'The user clicks Deny at the provider',
    source: 'contract FM 7, §1.5 step 5; RFC 6749 §4.1.2.1',
    injects: 'the provider answers authorize with error=access_denied (and the state)',
    observes: '/web/error with code access_denied (USRC-1022 + providerError for providers without sign-up); nothing stored',
    injections: [{ kind: 'provider-fault', endpoint: 'authorize', fault: { kind: 'deny' } }],
    expect: {
      outcome: 'web-error',
      from: 'authorize',
      code: { supportsSignup: 'access_denied', otherwise: 'USRC-1022' },
      providerError: { supportsSignup: null, otherwise: 'access_denied' },
      state: true,
    },
  }),
  connect({
    name: 'provider-unavailable-at-authorize',
    title: 'The provider is temporarily unavailable at authorize',
    source: 'RFC 6749 §4.1.2.1 (temporarily_unavailable); contract §1.5 step 5',
    injects: 'the provider redirects back with error=temporarily_unavailable',
    observes: '/web/error with the raw provider error (USRC-1022 for providers without sign-up)',
    injections: [{ kind: 'provider-fault', endpoint: 'authorize', fault: { kind: 'oauth-error', error: 'temporarily_unavailable' } }],
    expect: {
      outcome: 'web-error',
      from: 'authorize',
      code: { supportsSignup: 'temporarily_unavailable', otherwise: 'USRC-1022' },
      providerError: { supportsSignup: null, otherwise: 'temporarily_unavailable' },
      state: true,
    },
  }),
  connect({
    name: 'slow-user-connect',
    title: 'The user takes longer than the pauth lifetime (10 min) at the consent screen',
    source: 'contract FM 5, §2.1',
    injects: 'the clock moves 11 min while the browser is at the provider',
    observes: '/web/error?state=…&code=AUTH-1005; nothing stored',
    injections: [{ kind: 'advance-clock', before: 'authorize', ms: ELEVEN_MIN, why: 'the user reads the consent screen' }],
    expect: { outcome: 'web-error', from: 'callback', code: 'AUTH-1005', state: true },
  }),
  connect({
    name: 'redirect-uri-not-registered',
    title: 'The authorize request carries a redirect_uri the provider never registered',
    source: 'RFC 6749 §4.1.2.1, RFC 9700 §4.11.2 (no open redirect)',
    injects: 'redirect_uri is rewritten to an unregistered callback on the way to the provider',
    observes: 'the provider shows an error page (400) and redirects nowhere',
    injections: [{ kind: 'redirect-uri-unregistered' }],
    expect: { outcome: 'refused', from: 'authorize', by: 'provider', status: 400, says: 'is not registered' },
  }),

  // The state on its way back.
  connect({
    name: 'state-bad-signature',
    title: 'The state JWT was re-signed with another secret',
    source: 'contract FM 6, §2.3; oauth-rules §3.3',
    injects: 'the JWT segment of the state is re-signed with a wrong secret',
    observes: '/web/error?code=AUTH-1002',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'signature' } }],
    expect: { outcome: 'web-error', from: 'route', code: 'AUTH-1002', state: true },
  }),
  connect({
    name: 'state-wrong-type',
    title: 'The state JWT is validly signed but not a pauth',
    source: 'contract FM 6, §8 wrong_token_type_test',
    injects: 'the JWT is re-signed with the right secret and type "xyz"',
    observes: '/web/error?code=AUTH-1002',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'type', value: 'xyz' } }],
    expect: { outcome: 'web-error', from: 'route', code: 'AUTH-1002', state: true },
  }),
  connect({
    name: 'state-garbage-token',
    title: 'The state carries a token that is not a JWT',
    source: 'contract §8 invalid_token_test (state=xyz)',
    injects: 'the JWT segment becomes "xyz"',
    observes: '/web/error?code=AUTH-1002',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'jwt', value: 'xyz' } }],
    expect: { outcome: 'web-error', from: 'route', code: 'AUTH-1002', state: true },
  }),
  connect({
    name: 'state-without-token',
    title: 'The state has an environment but no token segment',
    source: 'contract §2.3 step 1',
    injects: 'the state is cut to "<env>!"',
    observes: '/web/error?code=AUTH-1002',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'jwt', value: '' } }],
    expect: { outcome: 'web-error', from: 'route', code: 'AUTH-1002', state: true },
  }),
  connect({
    name: 'state-missing-at-api',
    title: 'The callback reaches the API without a state',
    source: 'contract FM 6, §1.5 step 4',
    injects: 'state is removed between the router and the API',
    observes: '/web/error?state=0&code=RAPI-1001',
    injections: [{ kind: 'rewrite-query', hop: 'api-callback', remove: ['state'] }],
    expect: { outcome: 'web-error', from: 'callback', code: 'RAPI-1001', state: true },
  }),
  connect({
    name: 'state-missing-at-router',
    title: 'The callback reaches the auth-origin router without a state',
    source: 'contract §7 (the proxy reads the state prefix)',
    injects: 'state is removed on the way to the router',
    observes: 'the router cannot route it: a 400 page, no redirect',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'remove' } }],
    expect: { outcome: 'refused', from: 'route', by: 'router', status: 400, says: 'no state parameter' },
  }),
  connect({
    name: 'unknown-environment',
    title: 'The state names an environment the router does not know',
    source: 'contract FM 11, §7; oauth-rules §5.6',
    injects: 'the environment segment of the state becomes "nowhere"',
    observes: 'the router answers 400 "not known to this router" and forwards nothing',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'env', value: 'nowhere' } }],
    expect: { outcome: 'refused', from: 'route', by: 'router', status: 400, says: 'is not known to this router' },
  }),
  connect({
    name: 'callback-environment-unset',
    title: 'apiServer.callbackEnvironment is not configured, so the state starts with "null!"',
    source: 'contract FM 11, §2.2',
    injects: 'the environment segment of the state becomes "null"',
    observes: 'the router refuses it and says callbackEnvironment is not configured',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'env', value: 'null' } }],
    expect: { outcome: 'refused', from: 'route', by: 'router', status: 400, says: 'callbackEnvironment is not configured' },
  }),
];

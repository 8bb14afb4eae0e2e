/**
 * Failure scenarios of "Sign up with X" (contract §5, §6.2 and failure modes 5, 7, 15, 21–23, 26): what
 * the browser ends on, what check-signup answers and the LoginResult the agent makes of it.
 */
import type { Scenario } from '../types.js';

const THREE_MIN = 3 * 60_000;
const ELEVEN_MIN = 11 * 60_000;

const signup = (s: Omit<Scenario, 'flow'>): Scenario => ({ flow: 'signup', requires: ['signup-provider'], ...s });

/** The sign-up scenarios, in listing order. */
export const signupScenarios: readonly Scenario[] = [
  signup({
    name: 'signup-pending-then-login',
    title: 'check-signup is pending several times before the user finishes at the provider',
    source: 'contract FM 21, §5, §6.2 item 2',
    injects: 'the browser opens the start URL only after 3 pending answers',
    observes: 'AUTH-1006 (TOKEN_NOT_FOUND) keeps the agent polling; then the login package with the provider token',
    injections: [{ kind: 'poll-pending', before: 'start', count: 3 }],
    expect: { outcome: 'logged-in', minPending: 3 },
  }),
  signup({
    name: 'signup-token-reused',
    title: 'The signup token is used a second time after a successful login',
    source: 'contract FM 22, §5 (single use)',
    injects: 'a second check-signup with the token that already logged in',
    observes: 'AUTH-1006, which the agent maps to TOKEN_NOT_FOUND',
    injections: [],
    expect: { outcome: 'logged-in', reuse: true },
  }),
  signup({
    name: 'signup-consent-denied',
    title: 'The user clicks Deny during sign-up',
    source: 'contract FM 7, 22 and 26, §5',
    injects: 'the provider answers authorize with error=access_denied',
    observes:
      '/web/error access_denied; check-signup USRC-1022 {error: access_denied} → UNKNOWN (unmapped); then the token is gone (AUTH-1006)',
    injections: [{ kind: 'provider-fault', endpoint: 'authorize', fault: { kind: 'deny' } }],
    expect: {
      outcome: 'login-failed',
      from: 'authorize',
      webError: 'access_denied',
      answer: 'USRC-1022',
      nested: 'access_denied',
      result: 'UNKNOWN',
      reuse: true,
    },
  }),
  signup({
    name: 'slow-user-signup',
    title: 'The user takes longer than the sign-up pauth lifetime (2 min) at the consent screen',
    source: 'contract FM 5, §2.1',
    injects: 'the clock moves 3 min while the browser is at the provider',
    observes: '/web/error AUTH-1005; check-signup USRC-1022 {error: AUTH-1005} → TOKEN_EXPIRED',
    injections: [
      { kind: 'advance-clock', before: 'authorize', ms: THREE_MIN, why: 'the user reads the consent screen' },
    ],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'AUTH-1005',
      answer: 'USRC-1022',
      nested: 'AUTH-1005',
      result: 'TOKEN_EXPIRED',
    },
  }),
  signup({
    name: 'signup-record-expired',
    title: 'The agent checks for the signup more than 10 min after the flow completed',
    source: 'contract FM 23, §2.4, §5',
    injects: 'the poller is held after the browser leg; its next check comes 11 min later',
    observes: 'check-signup AUTH-1005 → TOKEN_EXPIRED',
    injections: [{ kind: 'late-check', after: 'result-page', ms: ELEVEN_MIN, why: 'the IDE was asleep' }],
    expect: { outcome: 'login-failed', from: 'poll', webError: null, answer: 'AUTH-1005', result: 'TOKEN_EXPIRED' },
  }),
  signup({
    name: 'no-signup-no-match',
    title: 'Sign-in only (noSignup=1) with a provider account that matches no CodeStream user',
    source: 'contract FM 15, §1.5 step 8',
    injects: 'noSignup=1 and a provider identity no user has',
    observes: '/web/error PRVD-1005; check-signup USRC-1022 {error: PRVD-1005} → SIGNUP_REQUIRED',
    injections: [],
    noSignup: true,
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1005',
      answer: 'USRC-1022',
      nested: 'PRVD-1005',
      result: 'SIGNUP_REQUIRED',
    },
  }),
  signup({
    name: 'signup-already-registered',
    title: '"Sign up with X" with the email of an already registered user',
    source: 'contract FM 16, §1.5 step 8',
    injects: 'the provider account has the email of a registered CodeStream user; no noSignup',
    observes: '/web/error USRC-1006; check-signup USRC-1022 {error: USRC-1006} → ALREADY_CONFIRMED',
    injections: [{ kind: 'provider-identity', account: { email: 'dana@acme.example' } }],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'USRC-1006',
      answer: 'USRC-1022',
      nested: 'USRC-1006',
      result: 'ALREADY_CONFIRMED',
    },
  }),
  signup({
    name: 'signup-identity-lookup-fails',
    title: "The provider's identity endpoint fails after the exchange",
    source: 'contract FM 17, §3.2 (identity lookups)',
    injects: 'the identity endpoint answers 500',
    observes:
      '/web/error PRVD-1001; check-signup USRC-1022 {error: PRVD-1001} → UNKNOWN (a nested code the agent does not map)',
    injections: [{ kind: 'provider-fault', endpoint: 'identity', fault: { kind: 'status', status: 500 } }],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1001',
      answer: 'USRC-1022',
      nested: 'PRVD-1001',
      result: 'UNKNOWN',
    },
  }),
  signup({
    name: 'gitlab-no-public-email',
    title: 'A GitLab user without a public email signs up',
    source: 'contract FM 18, §3.2',
    injects: 'the GitLab account hides its email (no public_email)',
    observes: '/web/error PRVD-1010; check-signup USRC-1022 {error: PRVD-1010} → UNKNOWN',
    provider: 'gitlab',
    requires: ['signup-provider', 'own-provider'],
    injections: [{ kind: 'provider-identity', account: { publicEmail: false } }],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1010',
      answer: 'USRC-1022',
      nested: 'PRVD-1010',
      result: 'UNKNOWN',
    },
  }),
  signup({
    name: 'bitbucket-no-primary-email',
    title: 'A Bitbucket user without a primary email signs up',
    source: 'contract FM 19, §3.2',
    injects: 'no email of the Bitbucket account is marked primary',
    observes: '/web/error PRVD-1005; check-signup USRC-1022 {error: PRVD-1005} → SIGNUP_REQUIRED',
    provider: 'bitbucket',
    requires: ['signup-provider', 'own-provider'],
    injections: [{ kind: 'provider-identity', account: { primaryEmail: false } }],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1005',
      answer: 'USRC-1022',
      nested: 'PRVD-1005',
      result: 'SIGNUP_REQUIRED',
    },
  }),
  signup({
    name: 'signup-state-bad-signature',
    title: 'The sign-up state was re-signed with another secret',
    source: 'contract §2.3 (a failed state is still decoded, so st is known)',
    injects: 'the JWT segment of the state is re-signed with a wrong secret',
    observes:
      '/web/error AUTH-1002; the record is still written under st: USRC-1022 {error: AUTH-1002} → TOKEN_INVALID',
    injections: [{ kind: 'tamper-state', hop: 'callback', tamper: { segment: 'signature' } }],
    expect: {
      outcome: 'login-failed',
      from: 'route',
      webError: 'AUTH-1002',
      answer: 'USRC-1022',
      nested: 'AUTH-1002',
      result: 'TOKEN_INVALID',
    },
  }),
  signup({
    name: 'signup-exchange-fails',
    title: 'The token exchange fails during sign-up',
    source: 'contract FM 8 and 26',
    injects: 'the provider answers the exchange with invalid_grant',
    observes:
      '/web/error RAPI-1010; check-signup USRC-1022 {error: RAPI-1010} → UNKNOWN (a nested code the agent does not map)',
    injections: [{ kind: 'provider-fault', endpoint: 'token', fault: { kind: 'oauth-error', error: 'invalid_grant' } }],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'RAPI-1010',
      answer: 'USRC-1022',
      nested: 'RAPI-1010',
      result: 'UNKNOWN',
    },
  }),
  signup({
    name: 'signup-expires-in-as-ms',
    title: "The callback's expires_in (seconds) is read as milliseconds for the record lifetime",
    source: 'contract FM 14, §2.4 (lifetime), §1.5 step 3; §8 check_signup/token_expired_test.js',
    injects:
      'the callback carries expires_in=3600 (an hour, in seconds, as YouTrack sends it); the agent checks 4 s later',
    observes: 'the record lived 3600 ms, not an hour: check-signup AUTH-1005 → TOKEN_EXPIRED',
    injections: [
      { kind: 'rewrite-query', hop: 'api-callback', set: { expires_in: '3600' } },
      { kind: 'late-check', after: 'result-page', ms: 4000, why: 'the IDE polls 4 s after the browser is done' },
    ],
    expect: { outcome: 'login-failed', from: 'poll', webError: null, answer: 'AUTH-1005', result: 'TOKEN_EXPIRED' },
  }),
  signup({
    name: 'signup-provider-without-identity',
    title: 'Sign-up with a provider CodeStream cannot match identities for',
    source: 'contract FM 20, §1.5 steps 7-8, Appendix A PRVD-1004; FM 26',
    injects: 'the sign-up starts with a provider that has no identity lookup',
    observes:
      'the code is exchanged, then /web/error PRVD-1004; check-signup USRC-1022 {error: PRVD-1004} → UNKNOWN, which the agent does not map',
    provider: 'asana',
    requires: ['no-identity'],
    injections: [],
    expect: {
      outcome: 'login-failed',
      from: 'callback',
      webError: 'PRVD-1004',
      answer: 'USRC-1022',
      nested: 'PRVD-1004',
      result: 'UNKNOWN',
      unmapped: true,
      reuse: true,
    },
  }),
];

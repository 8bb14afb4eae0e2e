/**
 * Failure scenarios of check-signup's own answers once the browser leg is done (contract §5, §6.2 and
 * failure modes 24–28): a failing or hanging API, a record or user that changed, a token pasted twice.
 * The poller waits until the record is written, then the change is made, so no answer races it. Data only.
 */
import type { Scenario } from '../types.js';

const signup = (s: Omit<Scenario, 'flow'>): Scenario => ({ flow: 'signup', requires: ['signup-provider'], ...s });

/** The check-signup scenarios, in listing order. */
export const checkSignupScenarios: readonly Scenario[] = [
  signup({
    name: 'check-signup-5xx-retried',
    title: 'check-signup answers 503 three times before it answers the login package',
    source: 'contract FM 28, §6.2 item 3 (only 4xx answers are mapped)',
    injects: "the API's next 3 check-signup answers are 503",
    observes:
      'the agent retries within the tick after 250, 500 and 750 ms (on its clock), the 4th attempt logs in; the record was not used up',
    injections: [
      {
        kind: 'check-signup-fault',
        faults: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 503 },
          { kind: 'status', status: 503 },
        ],
      },
    ],
    expect: { outcome: 'logged-in', retried: ['503', '503', '503'] },
  }),
  signup({
    name: 'check-signup-timeout',
    title: 'A check-signup call never answers',
    source: 'contract FM 28 (the 30 s per-request timeout)',
    injects: 'the API holds the next check-signup call without answering; 31 s pass on the injected clock',
    observes: 'the agent aborts the call at its 30 s timeout and retries after 250 ms, which logs in',
    injections: [{ kind: 'check-signup-fault', faults: [{ kind: 'hang' }] }],
    expect: { outcome: 'logged-in', retried: ['timeout'] },
  }),
  signup({
    name: 'signup-user-not-registered',
    title: 'The signed-in user was created but never registered',
    source: 'contract FM 24, §5 (USRC-1010 noLoginUnregistered)',
    injects: "the record's user is marked unregistered before the agent's check",
    observes: 'check-signup USRC-1010 → NOT_CONFIRMED',
    injections: [{ kind: 'signup-record', user: 'unregister' }],
    expect: {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1010',
      result: 'NOT_CONFIRMED',
      reuse: true,
    },
  }),
  signup({
    name: 'signup-user-in-maintenance',
    title: 'The signed-in user is in maintenance mode',
    source: 'contract FM 24, §5 (LoginHelper: USRC-1023), §6.2 item 3',
    injects: "the record's user is put in maintenance mode before the agent's check",
    observes:
      'check-signup USRC-1023 → MAINTENANCE_MODE (the webview shows its maintenance screen); the record is used up',
    injections: [{ kind: 'signup-record', user: 'maintenance' }],
    expect: {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1023',
      result: 'MAINTENANCE_MODE',
      reuse: true,
    },
  }),
  signup({
    name: 'signup-user-without-company',
    title: 'The signed-in user belongs to no company and no team',
    source: 'contract FM 24, §6.2 item 4 (0 companies or 0 teams → USER_NOT_IN_COMPANY)',
    injects: "the record's user loses its teams and companies before the agent's check",
    observes:
      'the login package with companies [] and teams [] → USER_NOT_IN_COMPANY, with the CS token: the webview opens "Company creation"',
    injections: [{ kind: 'signup-record', user: 'no-company' }],
    expect: { outcome: 'logged-in', result: 'USER_NOT_IN_COMPANY' },
  }),
  signup({
    name: 'signup-user-deactivated',
    title: 'The signed-in user is deactivated before the agent checks',
    source: 'contract §5 (user missing or deactivated), §6.2 item 3',
    injects: "the record's user is deactivated before the agent's check",
    observes: 'check-signup RAPI-1003 → TOKEN_INVALID',
    injections: [{ kind: 'signup-record', user: 'deactivate' }],
    expect: { outcome: 'login-failed', from: 'poll', webError: null, answer: 'RAPI-1003', result: 'TOKEN_INVALID' },
  }),
  signup({
    name: 'signup-region-switch',
    title: "The user's account lives in another region",
    source: 'contract FM 25, §5 (USRC-1032 {url}), §6.2 item 4',
    injects: 'the record carries switchToServerUrl',
    observes:
      'check-signup USRC-1032 {url} → UNKNOWN with extra {code: USRC-1032, url}: the agent surfaces the region switch and its URL',
    injections: [{ kind: 'signup-record', switchToServerUrl: 'https://eu.api.codestream.example' }],
    expect: {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1032',
      result: 'UNKNOWN',
      switchTo: 'https://eu.api.codestream.example',
    },
  }),
  signup({
    name: 'signup-token-double-paste',
    title: 'The user pastes the signup token into VS Code twice',
    source: 'contract FM 27, §2.4 (find undoes a double paste), §1.10 (the record is removed under the raw token)',
    injects: "the agent's check-signup sends the 36-character token twice over (72 characters)",
    observes:
      'the API reads it as the first 36 characters: the login package; removed under the 72 characters, the record answers the single token once more',
    injections: [{ kind: 'double-paste' }],
    expect: { outcome: 'logged-in', survives: true },
  }),
  signup({
    name: 'signup-nested-code-unmapped',
    title: 'check-signup fails with a nested code the agent does not map',
    source: 'contract FM 26, §6.2 item 3 (USRC-1022 remapped through info.error)',
    injects: 'the record carries error RAPI-1010',
    observes:
      'USRC-1022 {error: RAPI-1010}: the real agent yields no result and the webview takes it for a success; the run reports UNKNOWN and flags it',
    injections: [{ kind: 'signup-record', error: 'RAPI-1010' }],
    expect: {
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'USRC-1022',
      nested: 'RAPI-1010',
      result: 'UNKNOWN',
      unmapped: true,
    },
  }),
];

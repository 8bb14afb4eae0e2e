/**
 * A failure scenario is data: what is injected through the lab's existing controls, and what the
 * system must visibly do about it. Appliers (injections.ts) and expectation compilers (expect-*.ts)
 * turn it into hooks and steps; protocol code never asks which scenario is running.
 */
import type { DeliveryPath } from '../../agent-sim/broadcast-recovery.js';
import type { CheckSignupFault } from '../../mock-api/api-faults.js';
import type { ProviderFault } from '../../mock-provider/context.js';

/**
 * The flows scenarios run on. interact and disconnect run the flows of the same names (failure modes 36, 37, 39).
 */
export const FLOW_KINDS = ['connect', 'signup', 'refresh', 'interact', 'disconnect'] as const;
export type FlowKind = (typeof FLOW_KINDS)[number];

export function isFlowKind(name: string): name is FlowKind {
  return FLOW_KINDS.some((kind) => kind === name);
}

/** A browser request the scenario may rewrite, named by who answers it. */
export type HopName = 'start' | 'authorize' | 'callback' | 'api-callback';

/** How to damage one segment of the state on its way back (oauth-rules-and-quirks §3.3). */
export type StateTamper =
  | { segment: 'env'; value: string }
  /** Replaces the JWT literally ('' leaves "env!" with no token). */
  | { segment: 'jwt'; value: string }
  /** Re-signs the same claims with a secret the API does not know. */
  | { segment: 'signature' }
  /** Re-signs with the right secret but another token type. */
  | { segment: 'type'; value: string }
  | { segment: 'remove' };

/** A value that differs for providers with and without sign-up support (contract §1.5 step 5). */
export interface BySignupSupport<T> {
  supportsSignup: T;
  otherwise: T;
}

/** One fault, applied through a control the lab already has. */
export type Injection =
  /**
   * The provider's next authorize, token, identity or profile answer (control.failNext), queued before the run
   * or, with `before`, just before that step (the refresh grant, after the connect's own exchange).
   */
  | {
      kind: 'provider-fault';
      endpoint: 'authorize' | 'token' | 'identity' | 'profile';
      fault: ProviderFault;
      before?: string;
    }
  /** Who signs in at the provider next (control.setNextIdentity): an email a user has, no public or primary email. */
  | { kind: 'provider-identity'; account: { email?: string | null; publicEmail?: boolean; primaryEmail?: boolean } }
  /** The team the agent asks a pauth code for ('' sends no value). */
  | { kind: 'agent-team'; teamId: string }
  /**
   * The environment's broadcaster loses, doubles or forgets messages, or sends a large one's parts backwards
   * (broadcaster.faults).
   */
  | { kind: 'broadcast-fault'; drop?: number; duplicate?: number; blockHistory?: boolean; reverseParts?: boolean }
  /** Moves the injected clock forward before a step: no one waits. */
  | { kind: 'advance-clock'; before: string; ms: number; why: string }
  | { kind: 'tamper-state'; hop: HopName; tamper: StateTamper }
  /** Sets or removes query parameters of a request. */
  | { kind: 'rewrite-query'; hop: HopName; set?: Record<string, string>; remove?: string[] }
  /** Sends a request to another provider's route: a name, or "other" for a second lab provider (mix-up). */
  | { kind: 'rewrite-provider'; hop: HopName; to: string }
  /** Points redirect_uri at the API itself, registered at the provider as YouTrack's is (contract §7). */
  | { kind: 'redirect-uri-bypasses-router' }
  /** Points redirect_uri somewhere the provider never registered. */
  | { kind: 'redirect-uri-unregistered' }
  /** The browser opens the API callback URL a second time, once the flow is done. */
  | { kind: 'replay-callback' }
  /** A write to the user before a step that the agent never hears of. */
  | {
      kind: 'store-change';
      before: string;
      change: 'silent-write' | 'deactivate-user' | 'leave-team' | 'deactivate-team';
    }
  /**
   * The agent's broadcaster connection drops before step `from` and comes back `reconnectAfterMs` later, before the
   * broadcast step.
   */
  | { kind: 'agent-offline'; from: string; reconnectAfterMs: number }
  /** The agent subscribes only after another step (a late subscriber). */
  | { kind: 'move-step'; step: string; after: string }
  | { kind: 'lab'; exchangeTimeoutMs: number }
  /** Sign-up: the browser opens the start URL only after the agent got `count` pending answers. */
  | { kind: 'poll-pending'; before: string; count: number }
  /** Sign-up: the agent's next check-signup comes `ms` after step `after` (the clock moves, no one waits). */
  | { kind: 'late-check'; after: string; ms: number; why: string }
  /**
   * Sign-up: once the browser leg wrote the record (the poller is held until then), the next check-signup calls fail
   * (FM 28).
   */
  | { kind: 'check-signup-fault'; faults: CheckSignupFault[] }
  /** Sign-up: once the browser leg wrote the record, the record or its user changes before the agent's next check. */
  | {
      kind: 'signup-record';
      user?: 'unregister' | 'deactivate' | 'maintenance' | 'no-company';
      error?: string;
      switchToServerUrl?: string;
    }
  /** Sign-up: the agent's check-signup sends the signup token pasted twice, 72 characters (VS Code, FM 27). */
  | { kind: 'double-paste' }
  /** Interact: the provider's call is spoiled as `codestream-auth interact --tamper` does (FM 36). */
  | { kind: 'tamper-provider-call'; tamper: 'signature' | 'timestamp' | 'app' }
  /** Disconnect: the agent sends no host with the deauth, though the token lives under an enterprise host (FM 39). */
  | { kind: 'deauth-without-host' };

/** The observable outcome a scenario requires. */
export type Expectation =
  /** The token reaches the agent, by the named path. */
  | {
      outcome: 'connected';
      delivery: DeliveryPath;
      /** Copies of the directive's messageId that must have been dropped. */
      duplicatesDropped?: number;
      /** The agent must have re-fetched /users/me (a version gap). */
      refetch?: boolean;
      /** The callback must have waited at least this long for the provider. */
      callbackAtLeastMs?: number;
      /**
       * The directive must have arrived in this many parts, reassembled by the agent (over 10000 bytes, contract §4.2).
       */
      parts?: number;
    }
  /** The browser ends on the API's /web/error with this code; nothing is stored or delivered. */
  | {
      outcome: 'web-error';
      /** The first step of the normal flow that no longer holds (or "replay"). */
      from: string;
      code: string | BySignupSupport<string>;
      providerError?: BySignupSupport<string | null>;
      /** Whether /web/error carries a state parameter (none on start errors, contract §1.3 step 8). */
      state: boolean;
      /** The provider tokens issued from the code must be revoked (a replay, RFC 6749 §4.1.2). */
      revoked?: boolean;
    }
  /** The agent's own API call answers a JSON error (contract §1: 403 {code, message, info}). */
  | {
      outcome: 'api-error';
      from: string;
      status: number;
      code: string;
      info?: string;
      /** The text of a readAuth / tokenInvalid refusal (contract §1.10: `reason`, not `info`). */
      reason?: string;
    }
  /** A box answers with an error page and no redirect. */
  | { outcome: 'refused'; from: string; by: 'provider' | 'router'; status: number; says: string }
  /** Sign-up: the agent logs in with the login package. */
  | {
      outcome: 'logged-in';
      minPending?: number;
      reuse?: boolean;
      /**
       * What each attempt the agent retried within one tick saw ('503', 'timeout'); retry n waits 250 ms × n (FM 28).
       */
      retried?: string[];
      /**
       * The record outlives the answer: the agent sent the token pasted twice, the record is removed under those
       * 72 characters, so the 36-character token answers once more (contract §1.10).
       */
      survives?: boolean;
      /** The LoginResult the agent makes of the package (contract §6.2 item 4: no company or team). */
      result?: 'SUCCESS' | 'USER_NOT_IN_COMPANY';
    }
  /** Sign-up: check-signup answers an error the agent maps to a LoginResult (contract §6.2 item 3). */
  | {
      outcome: 'login-failed';
      /** The first step of the normal flow that no longer holds. */
      from: string;
      /** The /web/error code the browser ends on, or null when the browser leg succeeded. */
      webError: string | null;
      /** check-signup's code, and USRC-1022's nested one. */
      answer: string;
      nested?: string;
      result: string;
      /** Then the same token again: AUTH-1006, the record is gone even after an error (FM 22). */
      reuse?: boolean;
      /** USRC-1032: the server URL the agent must surface for the webview's region switch (contract §6.2 item 4). */
      switchTo?: string;
      /** Whether the run must flag a USRC-1022 nested code the real agent maps to nothing (FM 26). */
      unmapped?: boolean;
    }
  /**
   * A fragment provider's callback page serves itself again for the script's error=NO_TOKEN hop: the browser
   * loops (contract §1.5 step 3, FM 13). The run follows `rounds` script navigations, then stops.
   */
  | { outcome: 'script-loop'; from: string; rounds: number }
  /** Interact: the provider's call is refused with 403 `code`, by the environment or the VPN proxy (FM 36). */
  | { outcome: 'provider-call-refused'; by: 'environment' | 'proxy'; code: string }
  /** Interact (MS Teams): the bot answers the sign-in with this reply and signs nobody in (FM 37). */
  | { outcome: 'bot-reply'; from: string; says: string }
  /** Disconnect: the deauth answered; with `hostTokenKept` the enterprise host's token stays stored (FM 39). */
  | { outcome: 'disconnected'; hostTokenKept: boolean }
  /**
   * Sign-up: instead of the browser, the agent POSTs the provider's token to /no-auth/provider-token (its
   * ProviderTokenRequestType): a JSON error, no redirect, no signup record (contract §1.6, FM 40).
   */
  | { outcome: 'client-token-refused'; from: string; status: number; code: string };

/** What a scenario needs from the lab or the provider before it can run. */
export type Requirement =
  | 'signup-provider'
  | 'second-provider'
  | 'code-flow'
  | 'not-enterprise'
  | 'own-provider'
  | 'refresh-provider'
  | 'no-refresh'
  | 'enterprise'
  | 'fragment-flow'
  | 'no-identity';

/** A named failure scenario: data only. */
export interface Scenario {
  /** kebab-case, unique: `--scenario <name>`. */
  name: string;
  title: string;
  flow: FlowKind;
  /** Where this behaviour is described: contract failure mode, RFC section. */
  source: string;
  /** One line: what is injected, for listings and reports. */
  injects: string;
  /** One line: what must be observed. */
  observes: string;
  injections: Injection[];
  expect: Expectation;
  requires?: Requirement[];
  /** The provider used when none is given (default "github"). */
  provider?: string;
  /** The connect start route (default web, the seed's): no-auth where the contract's behaviour is that route's. */
  entry?: 'web' | 'no-auth';
  /** Sign-up: sign in only (noSignup=1), as the webview outside its signup screen. */
  noSignup?: boolean;
}

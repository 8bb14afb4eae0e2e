/**
 * Failure scenarios of large broadcasts (contract §4.2 "Large messages", failure mode 32): a token
 * directive over 10000 bytes of JSON goes out in parts that the agent must put back together. Data only.
 */
import type { Injection, Scenario } from '../types.js';

const connect = (s: Omit<Scenario, 'flow'>): Scenario => ({ flow: 'connect', ...s });

// 25000 filler bytes in the token answer: with the rest of the directive, 3 parts of at most 10000 bytes.
const LARGE_TOKEN_ANSWER: Injection = {
  kind: 'provider-fault',
  endpoint: 'token',
  fault: { kind: 'extra-field', name: 'installation_details', bytes: 25_000 },
};

/** The large-message scenarios, in listing order. */
export const connectBroadcastScenarios: readonly Scenario[] = [
  connect({
    name: 'large-broadcast',
    title: 'The token directive is over 10 KB and is broadcast in parts',
    source: 'contract FM 32, §4.2 (large messages), §4.3',
    injects:
      "the token answer carries a 25000-byte field, which the API stores in the token's data and broadcasts; the parts go out last first",
    observes:
      'the directive arrives live in 3 parts that the agent reassembles, whatever their order, before it dedupes and applies it',
    injections: [LARGE_TOKEN_ANSWER, { kind: 'broadcast-fault', reverseParts: true }],
    expect: { outcome: 'connected', delivery: 'live', parts: 3 },
    requires: ['code-flow'],
  }),
  connect({
    name: 'large-broadcast-part-lost',
    title: 'One part of a large token directive is lost',
    source: 'contract FM 32 and 29, §4.2, §4.3',
    injects: 'as large-broadcast, and the broadcaster loses the first part (it still lands in history)',
    observes:
      'the live parts never complete, so nothing of them is applied; the resubscribe reads history and the directive is reassembled from 3 parts',
    injections: [LARGE_TOKEN_ANSWER, { kind: 'broadcast-fault', drop: 1 }],
    expect: { outcome: 'connected', delivery: 'history', parts: 3 },
    requires: ['code-flow'],
  }),
];

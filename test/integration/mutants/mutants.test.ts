/**
 * Mutation tests (issue 11): the checks can fail. Each mutant is a small layer or patch on the mock system that
 * breaks one contract point; the run must fail exactly the named step, at the named check, with every step
 * before it passed. The expected values of the checks come from the contract (src/flows/engine/contract.ts),
 * the run's options and the profile, so no mutant of the mocks can move them.
 *
 * | mutant                 | breaks (contract)                                   | fails step   | first failed check                                  |
 * |------------------------|-----------------------------------------------------|--------------|-----------------------------------------------------|
 * | pauth-601              | pauth lifetime 600 s (§1.2)                         | auth-code    | pauth lifetime (exp − iat, s)                       |
 * | pauth-user             | pauth userId is the caller (§2.1)                   | auth-code    | pauth userId                                        |
 * | pauth-team             | pauth teamId is the asked team (§1.2)               | auth-code    | pauth teamId                                        |
 * | sharing-no-sm          | sharing=true → sm:true in the pauth (§6.1)          | auth-code    | pauth sm (sharing)                                  |
 * | state-%21              | state segments joined by a raw "!" (§2.2)           | start        | every value encodeURIComponent-encoded              |
 * | state-env              | state segment 0 is callbackEnvironment (§2.2)       | start        | state segment 0: environment                        |
 * | authorize-order        | authorize parameters in the profile's order (§3.1)  | start        | authorize parameter order                           |
 * | wrong-env-route        | router delivers to the state's environment (§7)     | route        | routed to the environment                           |
 * | assertion-type         | Azure DevOps jwt-bearer assertion type (§3.2)       | callback     | callback is not sent to /web/error (RAPI-1010) ¹    |
 * | exchange-no-grant-type | the exchange sends grant_type (§3.1)                | callback     | callback is not sent to /web/error (RAPI-1010) ¹    |
 * | users-info-query       | users.info?user=<id>&include_locale=true (§3.2)     | callback     | /api/users.info query                               |
 * | wrong-key              | token under providerInfo.<team>.<provider> (§4.1)   | callback     | stored providerInfo.acme.github.accessToken         |
 * | code-mixup             | token issued for the code carried (RFC 6749 §4.1.3) | callback     | provider issued a token for that code               |
 * | success-page           | success redirect /auth-complete/<provider> (§1.9)   | success-page | success redirect                                    |
 * | wrong-channel          | the directive goes out on user-<id> (§4.2)          | broadcast    | (BROADCAST_LOST: no directive arrived on user-dana) |
 * | no-unset               | a connect $unsets tokenError (§4.2)                 | broadcast    | $unset providerInfo.acme.github.tokenError          |
 * | version-skip           | $version.after = before + 1 (§4.2)                  | broadcast    | $version.after = before + 1                         |
 * | message-id             | a UUID v4 messageId on every message (§4.2)         | broadcast    | messageId is a UUID v4                              |
 * | token-to-other-user    | a connect writes only its user (§4.1)               | isolation    | this flow's token reached no other user             |
 * | also-other-channel     | the token goes to its user's channel only (§4.2)    | isolation    | this flow's token was published on no other channel |
 * | teams-reply            | the Teams bot's connected reply (§7)                | verify       | reply returned to Teams (deliveryMode expectReplies)|
 * | call-to-other-env      | a provider's call reaches only its app's env (§7)   | isolation    | pd: no provider call carried this run's id          |
 * | signup-state-121       | the sign-up pauth lives 2 min (§1.4)                | start        | state JWT lifetime (exp − iat, s)                   |
 * | signup-reusable        | check-signup is single use (§5)                     | single-use   | status                                              |
 *
 * ¹ The strict mock provider refuses the mutated exchange, so the callback ends on /web/error first; the
 *   named exchange checks (client_assertion_type, grant_type) sit behind it in the same step.
 */
import { describe, expect, it } from 'vitest';
import type { FlowEvent } from '../../../src/events.js';
import { defaultApiExtensions } from '../../../src/mock-api/features.js';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { runInteract } from '../../../src/flows/interact/run.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';
import { MUTANTS, type Mutant } from './mutants.js';

async function runMutant(m: Mutant) {
  const provider = m.flow.provider;
  const lab = await startTestLab({
    envs: ['local', 'pd'],
    providers: m.flow.kind === 'interact' ? [] : [provider],
    extensions: { ...defaultApiExtensions(), before: m.api ? [m.api] : [] },
  });
  try {
    m.lab?.(lab);
    const deps = await flowDeps();
    const run =
      m.flow.kind === 'connect'
        ? await runConnect({ provider }, deps, lab)
        : m.flow.kind === 'signup'
          ? await runSignup({ provider, poll: true, intervalMs: 10 }, deps, lab)
          : await runInteract({ provider: m.flow.provider }, deps, lab);
    return { outcome: run.outcome, events: deps.events };
  } finally {
    await lab.close();
  }
}

const of = <T extends FlowEvent['type']>(events: FlowEvent[], type: T) =>
  events.filter((e): e is Extract<FlowEvent, { type: T }> => e.type === type);

describe('mutants of the mock system fail the check that owns their contract point', () => {
  it('has at least 20 mutants', () => expect(MUTANTS.length).toBeGreaterThanOrEqual(20));

  it.each(MUTANTS.map((m) => [m.id, m] as const))('%s', async (_id, m) => {
    const { outcome, events } = await runMutant(m);
    expect(outcome).toMatchObject({ ok: false, failedStep: m.step });
    const failed = of(events, 'check-failed');
    // Only the named step failed: every step before it passed all its checks.
    expect(failed.every((e) => e.step === m.step)).toBe(true);
    const started = of(events, 'step-started').map((e) => e.step);
    const succeeded = of(events, 'step-succeeded').map((e) => e.step);
    expect(succeeded).toEqual(started.slice(0, started.indexOf(m.step)));
    if (m.check === null) {
      expect(failed).toEqual([]);
      expect(outcome.error?.message).toMatch(m.error ?? /./);
    } else expect(failed[0]?.check).toBe(m.check);
  });

  it('the unmutated lab passes every flow the mutants use', async () => {
    for (const flow of new Map(MUTANTS.map((m) => [JSON.stringify(m.flow), m.flow])).values()) {
      const { outcome } = await runMutant({ id: 'none', breaks: '', flow, step: '', check: null });
      expect({ flow, ok: outcome.ok }).toEqual({ flow, ok: true });
    }
  });
});

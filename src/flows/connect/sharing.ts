/**
 * What a sharing connect stores beside the token (contract §3.2 last bullet, §4.1 "Sharing model"): the
 * API's call to the provider's user profile (Slack users.info with the user token), the `extra` read from
 * it, and the workspace identity added to providerIdentities. Expectations come from the profile alone.
 */
import { getPath } from '../../util/dotted.js';
import { isJsonObject } from '../../util/json.js';
import { renderSharingAnswer } from '../../profiles/sharing.js';
import { slackUsersInfoQuery } from '../engine/contract.js';
import type { ConnectContext } from './steps.js';
import { providerIdentity } from './expect.js';
import type { StepContext } from '../engine/runner.js';

/** Checks the sharing call and what it stored under `key`; nothing to do for a connect without sharing. */
export function checkSharingWrite(ctx: ConnectContext, s: StepContext, key: string, stored: unknown): void {
  const { profile } = ctx;
  if (!profile.agent.sharing || !key.includes('.multiple.')) return;
  const storedData = getPath(stored, 'data');
  const data = isJsonObject(storedData) ? storedData : undefined;
  const field = profile.storage.identityField;
  if (field !== undefined) {
    const identity = providerIdentity(profile.id, getPath(data, field));
    const identities = ctx.api.control.store.user(ctx.userId)?.providerIdentities ?? [];
    s.check(`providerIdentities has "${identity}" ($addToSet)`, identities.includes(identity), identity, identities);
  }
  const call = profile.sharingProfileCall;
  if (call === undefined) return;
  const extra = getPath(stored, 'extra');
  if (!ctx.providerJournal) {
    s.check(`stored ${key}.extra`, extra !== null && typeof extra === 'object', 'an object', extra);
    return;
  }
  // The profile calls made with this flow's token: other connects may be in flight.
  const calls = ctx.provider.control.requestsAuthorizedBy('profile', `Bearer ${ctx.issuedToken ?? ''}`);
  s.expectEqual(`the API called ${call.path} once`, 1, calls.length);
  const made = calls.at(0);
  // Contract §3.2 (Slack, sharing): users.info?user=<user_id>&include_locale=true, user_id from the token answer.
  const userId = getPath(data, 'user_id');
  const expected =
    typeof userId === 'string' || typeof userId === 'number'
      ? slackUsersInfoQuery(String(userId))
      : '(no "user_id" in the stored data)';
  s.expectEqual(`${call.path} query`, expected, made?.rawQuery);
  s.expectEqual(
    `${call.path} with the user token (Bearer)`,
    `Bearer ${ctx.issuedToken ?? ''}`,
    made?.headers.authorization,
  );
  const answer = renderSharingAnswer(call, made?.query ?? {});
  const want = Object.fromEntries(
    Object.entries(call.extra)
      .map(([name, path]): [string, unknown] => [name, getPath(answer, path)])
      .filter(([, v]) => v !== undefined),
  );
  // expectEqual compares with Object.is; the stored object is compared by its JSON.
  s.check(`stored ${key}.extra`, JSON.stringify(extra) === JSON.stringify(want), want, extra, JSON.stringify(extra));
}

/**
 * PUT /provider-deauth/:provider (contract §1.8 second bullet, failure mode 39): the agent disconnects a
 * provider. The token is unset under both the team-less key and the team's, narrowed to .hosts.<starred
 * host> and .multiple.<subId> when given; the answer is {user: <directive>}, broadcast on user-<id> as well.
 */
import type { Router } from 'express';
import { getPath } from '../../util/dotted.js';
import { isJsonObject } from '../../util/json.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { starHost } from '../../state.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import { publishUser, requireUser } from '../http.js';
import { providerIdentityOf } from '../outbound/sharing-call.js';
import type { UserDoc, UserUpdate } from '../store.js';

/** What a deauth names besides the provider: body teamId (required), host and subId (optional). */
export interface DeauthInput {
  teamId: string;
  host?: string | undefined;
  subId?: string | undefined;
}

export function registerProviderDeauth(router: Router, ctx: ApiContext): void {
  router.put('/provider-deauth/:provider', (req, res) => {
    const user = requireUser(ctx, req);
    const body: Record<string, unknown> = isJsonObject(req.body) ? req.body : {};
    const teamId = bodyString(body, 'teamId');
    if (teamId === undefined) throw csError('RAPI-1001', 'teamId');
    const host = bodyString(body, 'host')?.toLowerCase();
    const subId = bodyString(body, 'subId');
    // Contract §1.10: the provider is never looked up; the keys come from the path segment, so an unknown
    // provider answers 200 with a directive that unsets keys nobody has.
    const provider = String(req.params.provider).toLowerCase();
    const profile = ctx.profiles.get(provider);
    const directive = ctx.store.updateUser(user.id, deauthUpdate(user, provider, profile, { teamId, host, subId }));
    publishUser(ctx, res, directive);
    res.json({ user: directive });
  });
}

/**
 * The write of a deauth: $unset providerInfo.<provider><suffix> and providerInfo.<teamId>.<provider><suffix>,
 * where the suffix is .hosts.<starred host> and/or .multiple.<subId>; when the user has enterprise hosts
 * stored and no host is named, only the .accessToken keys go, so the hosts' entries stay (FM 39). A multiple
 * entry's identity "<provider>::<provider user id>" is pulled from providerIdentities (known providers only).
 */
export function deauthUpdate(
  user: UserDoc,
  provider: string,
  profile: ProviderProfile | undefined,
  input: DeauthInput,
): UserUpdate {
  const bases = [`providerInfo.${provider}`, `providerInfo.${input.teamId}.${provider}`];
  let suffix = input.host === undefined ? '' : `.hosts.${starHost(input.host)}`;
  if (input.subId !== undefined) suffix += `.multiple.${input.subId}`;
  if (input.host === undefined && bases.some((base) => hasEntries(getPath(user, `${base}.hosts`))))
    suffix += '.accessToken';
  const $unset = Object.fromEntries(bases.map((base) => [`${base}${suffix}`, true as const]));
  const identity =
    input.subId === undefined || profile === undefined
      ? undefined
      : bases
          .map((base) => providerIdentityOf(profile, getPath(user, `${base}.multiple.${input.subId}.data`)))
          .find((id) => id !== undefined);
  return { $unset, ...(identity === undefined ? {} : { $pull: { providerIdentities: identity } }) };
}

// An optional string parameter: absent or empty is undefined; any other type is RAPI-1012 (contract §1).
function bodyString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw csError('RAPI-1012', name);
  return value;
}

function hasEntries(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

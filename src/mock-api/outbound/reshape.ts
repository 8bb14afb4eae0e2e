/**
 * Reshaping a token answer before normalisation, driven by the profile's `reshape` block (contract §3.2,
 * Slack's normalizeTokenDataResponse): a server token split off the raw answer, then user-token fields
 * assigned from dotted paths.
 */
import { getPath } from '../../util/dotted.js';
import type { TokenProfile } from '../../profiles/profile.js';

export interface Reshaped {
  user: Record<string, unknown>;
  server?: Record<string, unknown>;
}

/** Without a reshape block the answer is the user token as is. */
export function reshapeAnswer(reshape: TokenProfile['reshape'], body: Record<string, unknown>): Reshaped {
  if (reshape === undefined) return { user: body };
  const raw = structuredClone(body);
  const user = structuredClone(body);
  for (const [field, path] of Object.entries(reshape.assign)) {
    const value = getPath(raw, path);
    // note: a missing source leaves the field undefined, as the real server does (Slack without authed_user
    // → RAPI-1010).
    if (value === undefined) delete user[field];
    else user[field] = value;
  }
  const when = reshape.serverTokenWhen;
  if (when === undefined || raw[when] === undefined) return { user };
  // The server token keeps the raw values where the user token's were reassigned (its own token and scope)
  // and the reshaped ones elsewhere (team_id), minus what only the user token has.
  const server: Record<string, unknown> = { ...user };
  for (const field of Object.keys(reshape.assign)) if (raw[field] !== undefined) server[field] = raw[field];
  for (const field of reshape.serverTokenOmit) delete server[field];
  return { user, server };
}

import { getPath, setPath, unsetPath } from '../util/dotted.js';
import { objectOrEmpty } from '../util/json.js';

/** The agent's cached me-object and how it applies a versioned directive (contract §4.3). */

export type ApplyOutcome = 'applied' | 'skipped-old' | 'refetch-needed';

/** before === cached version (or "*") → apply; after <= cached → skip; anything else → re-fetch /users/me. */
export function applyDirective(me: Record<string, unknown>, directive: Record<string, unknown>): ApplyOutcome {
  const cached = Number(me.version);
  const version = objectOrEmpty(directive.$version);
  if (typeof version.after === 'number' && version.after <= cached) return 'skipped-old';
  if (version.before !== '*' && version.before !== cached) return 'refetch-needed';
  for (const [path, value] of Object.entries(objectOrEmpty(directive.$set))) setPath(me, path, value);
  for (const path of Object.keys(objectOrEmpty(directive.$unset))) unsetPath(me, path);
  // Mongo's list operators, as a connect (providerIdentities) and a deauth use them.
  for (const [path, value] of Object.entries(objectOrEmpty(directive.$addToSet))) {
    const list = getPath(me, path);
    if (!Array.isArray(list)) setPath(me, path, [value]);
    else if (!list.includes(value)) list.push(value);
  }
  for (const [path, value] of Object.entries(objectOrEmpty(directive.$pull))) {
    const list = getPath(me, path);
    if (Array.isArray(list))
      setPath(
        me,
        path,
        list.filter((item) => item !== value),
      );
  }
  return 'applied';
}

/** Where a provider's token sits for the agent: top-level first, then under the team (contract §4.3). */
export function providerTokenOf(me: Record<string, unknown>, provider: string, teamId: string): string | undefined {
  const info = objectOrEmpty(me.providerInfo);
  const top = objectOrEmpty(info[provider]).accessToken;
  if (typeof top === 'string') return top;
  const team = objectOrEmpty(objectOrEmpty(info[teamId])[provider]).accessToken;
  return typeof team === 'string' ? team : undefined;
}

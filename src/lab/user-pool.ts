/**
 * Users for concurrent runs: each pool user is a registered member of the default team in every environment,
 * with its own CodeStream access token, broadcaster token and user-<id> channel, so flows in flight never share
 * a me-channel or a providerInfo slot.
 */
import { randomBytes } from 'node:crypto';
import type { SeedUserInput } from '../mock-api/control.js';
import type { Lab } from './start-lab.js';

/** Seeds `count` users named `<prefix>-<n>` into every environment of the lab and returns them. */
export function seedUserPool(lab: Lab, count: number, prefix = 'pool'): SeedUserInput[] {
  const users: SeedUserInput[] = [];
  for (let n = 1; n <= count; n++) {
    const id = `${prefix}-${n}`;
    const existing = lab.users.get(id);
    if (existing) {
      users.push(existing);
      continue;
    }
    const user: SeedUserInput = {
      id,
      email: `${id}@pool.example`,
      username: id,
      fullName: `Pool User ${n}`,
      accessToken: `cs-token-${id}-${randomBytes(8).toString('hex')}`,
      broadcasterToken: `bc-token-${id}-${randomBytes(8).toString('hex')}`,
      teamIds: [lab.config.defaultTeam],
    };
    lab.addUser(user);
    users.push(user);
  }
  return users;
}

/** In-memory CS database: users with versioned writes (contract §4.1), teams, companies. */
import { getPath, setPath, unsetPath } from '../util/dotted.js';
import type { LabConfig } from '../lab/config.js';
import { defined } from '../util/defined.js';
import { leafStrings } from '../util/key-index.js';

export interface UserDoc {
  _id: string;
  id: string;
  email: string;
  username: string;
  fullName: string;
  isRegistered: boolean;
  deactivated: boolean;
  /** LoginHelper refuses a user in maintenance mode with USRC-1023 (contract §5). */
  inMaintenanceMode?: boolean;
  teamIds: string[];
  companyIds: string[];
  providerInfo: Record<string, unknown>;
  providerIdentities: string[];
  version: number;
  modifiedAt: number;
  accessToken: string;
  broadcasterToken: string;
}

export interface TeamDoc {
  _id: string;
  id: string;
  name: string;
  companyId: string;
  memberIds: string[];
  deactivated: boolean;
  providerHosts: Record<string, Record<string, Record<string, unknown>>>;
  /** Bots installed for the team: providerBotInfo.msteams.<tenantId> (contract §7 MS Teams sign-in). */
  providerBotInfo?: Record<string, Record<string, unknown>>;
}

/** The versioned directive a write produces, as broadcast on user-<id> (contract §4.2). */
export interface UserDirective {
  _id: string;
  id: string;
  $set: Record<string, unknown>;
  $unset?: Record<string, true>;
  $addToSet?: Record<string, unknown>;
  $pull?: Record<string, unknown>;
  $version: { before: number; after: number };
}

export interface UserUpdate {
  $set?: Record<string, unknown>;
  $unset?: Record<string, true>;
  $addToSet?: Record<string, string>;
  /** Removes the value from the list at each path (a deauth's providerIdentities, contract §1.8). */
  $pull?: Record<string, string>;
}

/** A company (contract §5 eligibleJoinCompanies): its "everyone" team is the first team seeded for it. */
export interface CompanyDoc {
  id: string;
  name: string;
  everyoneTeamId?: string;
  domainJoining?: string[];
  deactivated?: boolean;
}

/**
 * The users by id, and by what finds them without a scan (issue 14: a lab of many flows holds thousands of users):
 * the access and broadcaster tokens a request presents (set when a user is added, never changed) and every string
 * inside each user's providerInfo (kept up to date by Store.updateUser, the one writer of providerInfo).
 */
/** A user the lab seeds into an environment (a pool user of concurrent runs). */
export interface SeedUserInput {
  id: string;
  email: string;
  username: string;
  fullName: string;
  accessToken: string;
  broadcasterToken: string;
  teamIds: string[];
  /** Seeded `<provider>::<providerUserId>` identities, e.g. the Slack user whose button presses map to this user. */
  providerIdentities?: string[];
}

export class UserMap extends Map<string, UserDoc> {
  private readonly byAccessToken = new Map<string, string>();
  private readonly byBroadcasterToken = new Map<string, string>();
  private readonly byEmail = new Map<string, Set<string>>();
  private readonly holders = new Map<string, Set<string>>();
  private readonly held = new Map<string, string[]>();

  override set(id: string, user: UserDoc): this {
    this.forget(id);
    super.set(id, user);
    this.byAccessToken.set(user.accessToken, id);
    this.byBroadcasterToken.set(user.broadcasterToken, id);
    const email = user.email.toLowerCase();
    const ids = this.byEmail.get(email);
    if (ids) ids.add(id);
    else this.byEmail.set(email, new Set([id]));
    this.reindex(id);
    return this;
  }

  override delete(id: string): boolean {
    this.forget(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byAccessToken.clear();
    this.byBroadcasterToken.clear();
    this.byEmail.clear();
    this.holders.clear();
    this.held.clear();
    super.clear();
  }

  withAccessToken(token: string): UserDoc | undefined {
    const id = this.byAccessToken.get(token);
    return id === undefined ? undefined : this.get(id);
  }

  withBroadcasterToken(token: string): UserDoc | undefined {
    const id = this.byBroadcasterToken.get(token);
    return id === undefined ? undefined : this.get(id);
  }

  /** The users with this email, any case (one user record per company, contract §5), in the order they came. */
  withEmail(email: string): UserDoc[] {
    return [...(this.byEmail.get(email.toLowerCase()) ?? [])].flatMap((id) => this.get(id) ?? []);
  }

  /** The users whose providerInfo holds `value` as one of its strings (a token, exactly). */
  holding(value: string): UserDoc[] {
    return [...(this.holders.get(value) ?? [])].flatMap((id) => this.get(id) ?? []);
  }

  /** Takes a user's providerInfo strings anew after a write. */
  reindex(id: string): void {
    for (const value of this.held.get(id) ?? []) dropFrom(this.holders, value, id);
    const user = this.get(id);
    const values = user === undefined ? [] : [...new Set(leafStrings(user.providerInfo))];
    this.held.set(id, values);
    for (const value of values) {
      const ids = this.holders.get(value);
      if (ids) ids.add(id);
      else this.holders.set(value, new Set([id]));
    }
  }

  private forget(id: string): void {
    const user = this.get(id);
    if (user === undefined) return;
    if (this.byAccessToken.get(user.accessToken) === id) this.byAccessToken.delete(user.accessToken);
    if (this.byBroadcasterToken.get(user.broadcasterToken) === id)
      this.byBroadcasterToken.delete(user.broadcasterToken);
    dropFrom(this.byEmail, user.email.toLowerCase(), id);
    for (const value of this.held.get(id) ?? []) dropFrom(this.holders, value, id);
    this.held.delete(id);
  }
}

// An index entry goes with its last id, so a lab that adds and drops users (load runs) does not keep their keys.
function dropFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
}

export class Store {
  readonly users = new UserMap();
  readonly teams = new Map<string, TeamDoc>();
  readonly companies = new Map<string, CompanyDoc>();

  constructor(private readonly now: () => number) {}

  /** Seeds users, teams and companies from the lab config (deep copies: environments never share state). */
  static seeded(config: LabConfig, now: () => number): Store {
    const store = new Store(now);
    for (const c of config.companies) {
      const everyoneTeamId = config.teams.find((t) => t.companyId === c.id)?.id;
      const domainJoining = c.domainJoining === undefined ? undefined : [...c.domainJoining];
      store.companies.set(c.id, { id: c.id, name: c.name, ...defined({ everyoneTeamId, domainJoining }) });
    }
    for (const t of config.teams) {
      store.teams.set(t.id, { ...structuredClone(t), _id: t.id, deactivated: false });
    }
    for (const u of config.users) {
      const teamIds = config.teams.filter((t) => t.memberIds.includes(u.id)).map((t) => t.id);
      const companyIds = [...new Set(config.teams.filter((t) => teamIds.includes(t.id)).map((t) => t.companyId))];
      store.users.set(u.id, {
        ...u,
        _id: u.id,
        deactivated: false,
        teamIds,
        companyIds,
        providerInfo: {},
        providerIdentities: [...u.providerIdentities],
        version: 1,
        modifiedAt: now(),
      });
    }
    return store;
  }

  /**
   * Seeds one more registered user (a pool user of concurrent runs) with its own tokens, into the teams named;
   * a user id already present is left as it is.
   */
  addUser(u: SeedUserInput): void {
    if (this.users.has(u.id)) return;
    const teamIds = u.teamIds.filter((t) => this.teams.has(t));
    for (const t of teamIds) this.teams.get(t)?.memberIds.push(u.id);
    const companyIds = [...new Set(teamIds.map((t) => this.teams.get(t)?.companyId ?? ''))].filter((c) => c !== '');
    this.users.set(u.id, {
      ...u,
      _id: u.id,
      isRegistered: true,
      deactivated: false,
      teamIds,
      companyIds,
      providerInfo: {},
      providerIdentities: [...(u.providerIdentities ?? [])],
      version: 1,
      modifiedAt: this.now(),
    });
  }

  /** Drops a user and its team memberships (a finished load run's own users, so a long-lived lab stays flat). */
  removeUser(id: string): boolean {
    const user = this.users.get(id);
    if (!user) return false;
    for (const teamId of user.teamIds) {
      const team = this.teams.get(teamId);
      if (team) team.memberIds = team.memberIds.filter((m) => m !== id);
    }
    return this.users.delete(id);
  }

  userByAccessToken(token: string): UserDoc | undefined {
    const user = this.users.withAccessToken(token);
    if (user === undefined || !user.deactivated) return user;
    // Two users sharing a token is a test's doing; the first active one answers, as before the index.
    for (const u of this.users.values()) if (u.accessToken === token && !u.deactivated) return u;
    return undefined;
  }

  userByBroadcasterToken(token: string): UserDoc | undefined {
    const user = this.users.withBroadcasterToken(token);
    if (user === undefined || !user.deactivated) return user;
    for (const u of this.users.values()) if (u.broadcasterToken === token && !u.deactivated) return u;
    return undefined;
  }

  /** Applies a write with dotted keys; bumps version and returns the directive. */
  updateUser(id: string, update: UserUpdate): UserDirective {
    const user = this.users.get(id);
    if (!user) throw new Error(`no user "${id}"`);
    const before = user.version;
    const $set: Record<string, unknown> = { ...update.$set, modifiedAt: this.now(), version: before + 1 };
    for (const [path, value] of Object.entries($set)) setPath(user, path, structuredClone(value));
    for (const path of Object.keys(update.$unset ?? {})) unsetPath(user, path);
    for (const [path, value] of Object.entries(update.$addToSet ?? {})) {
      const list = getPath(user, path);
      if (Array.isArray(list)) {
        if (!list.includes(value)) list.push(value);
      } else setPath(user, path, [value]);
    }
    for (const [path, value] of Object.entries(update.$pull ?? {})) {
      const list = getPath(user, path);
      if (Array.isArray(list))
        setPath(
          user,
          path,
          list.filter((item) => item !== value),
        );
    }
    this.users.reindex(id);
    return {
      _id: id,
      id,
      $set,
      ...defined({ $unset: update.$unset, $addToSet: update.$addToSet, $pull: update.$pull }),
      $version: { before, after: before + 1 },
    };
  }

  /** The me-object: what /users/me returns (server-only tokens stripped). */
  me(id: string): Record<string, unknown> | undefined {
    const user = this.users.get(id);
    if (!user) return undefined;
    const { accessToken: _a, broadcasterToken: _b, ...rest } = structuredClone(user);
    return rest;
  }

  /** A deep copy of everything, to prove that bad input changed nothing. */
  snapshot(): unknown {
    return structuredClone({ users: [...this.users.values()], teams: [...this.teams.values()] });
  }
}

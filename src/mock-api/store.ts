/** In-memory CS database: users with versioned writes (contract §4.1), teams, companies. */
import { getPath, setPath, unsetPath } from '../util/dotted.js';
import type { LabConfig } from '../lab/config.js';
import { defined } from '../util/defined.js';

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

export class Store {
  readonly users = new Map<string, UserDoc>();
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
  addUser(u: {
    id: string;
    email: string;
    username: string;
    fullName: string;
    accessToken: string;
    broadcasterToken: string;
    teamIds: string[];
    providerIdentities?: string[];
  }): void {
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

  userByAccessToken(token: string): UserDoc | undefined {
    for (const u of this.users.values()) if (u.accessToken === token && !u.deactivated) return u;
    return undefined;
  }

  userByBroadcasterToken(token: string): UserDoc | undefined {
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

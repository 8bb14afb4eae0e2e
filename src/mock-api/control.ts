/**
 * The mock API behind a handle (like the provider's `control`): what a flow or a test may inspect — the request
 * journal with its queries, a read-only view of the store and the signup records, the broadcaster's messages,
 * the provider actions — and what it may inject — one-shot faults and the scenario writes a real deployment
 * would see from another session. Nothing else of the environment's context is reachable through it.
 */
import type { ApiContext, ApiRequestRecord } from './context.js';
import type { FailedPublish, PublishedMessage } from './broadcaster.js';
import type { ApiFaults } from './api-faults.js';
import type { ProviderAction, ReceivedProviderCall } from './actions/provider-actions.js';
import type { SignupRecord } from './signup/records.js';
import { indexOf, queryKey, queryKeys } from '../util/key-index.js';
import type { SeedUserInput, TeamDoc, UserDirective, UserDoc, UserUpdate } from './store.js';

/** Deep read-only: what a view hands out can be read, not written. */
export type ReadOnly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { readonly [K in keyof T]: ReadOnly<T[K]> }
    : T;

export type { SeedUserInput } from './store.js';

export interface ApiJournal {
  readonly all: readonly ReadOnly<ApiRequestRecord>[];
  /** The requests to one path, in arrival order. */
  to(path: string): ReadOnly<ApiRequestRecord>[];
  /** The request to `path` whose query carried `name` = `value` (the flow's own identifier): state, code, token. */
  carrying(path: string, name: string, value: string): ReadOnly<ApiRequestRecord> | undefined;
  /** Every request whose query carried `name` = `value`, in arrival order (an index lookup, not a scan). */
  withQuery(name: string, value: string): readonly ReadOnly<ApiRequestRecord>[];
}

export interface StoreView {
  user(id: string): ReadOnly<UserDoc> | undefined;
  team(id: string): ReadOnly<TeamDoc> | undefined;
  users(): ReadOnly<UserDoc>[];
  /** The users whose providerInfo holds `value` as one of its strings (a token), found by index. */
  holding(value: string): ReadOnly<UserDoc>[];
  signup(token: string): ReadOnly<SignupRecord> | undefined;
  /** A deep copy of users and teams, to prove that something changed nothing. */
  snapshot(): unknown;
}

export interface BroadcastView {
  /** What went over the wire (whole messages, or parts of large ones). */
  readonly history: readonly ReadOnly<PublishedMessage>[];
  /** Whole messages as published, before any split. */
  readonly published: readonly ReadOnly<PublishedMessage>[];
  readonly failures: readonly ReadOnly<FailedPublish>[];
  messagesOn(channel: string): ReadOnly<PublishedMessage>[];
  /** Whole messages that carry `value` as one of their strings (a token), found by index. */
  carrying(value: string): readonly ReadOnly<PublishedMessage>[];
  subscriberCount(channel: string): number;
}

export interface ProviderActionView {
  readonly received: readonly ReadOnly<ReceivedProviderCall>[];
  readonly actions: readonly ReadOnly<ProviderAction>[];
}

/** The user fields an admin or another session may change under a running flow. */
export interface UserFlags {
  deactivated?: boolean;
  isRegistered?: boolean;
  inMaintenanceMode?: boolean;
  teamIds?: string[];
  companyIds?: string[];
}

/** What a test or scenario may change: faults, and writes another session or an admin would make. */
export interface ApiInjections {
  /** The broadcaster's one-shot faults (drop, duplicate, no history, reversed parts). */
  readonly broadcastFaults: { drop: number; duplicate: number; blockHistory: boolean; reverseParts: boolean };
  /** check-signup's one-shot faults (5xx, hang). */
  readonly checkSignupFaults: ApiFaults;
  /** A versioned write by another session (no broadcast reaches this agent). */
  writeUser(id: string, update: UserUpdate): UserDirective;
  /** Flags an admin changes: deactivated, isRegistered. */
  setUserFlags(id: string, flags: UserFlags): void;
  /** Deactivates a team (contract failure mode 10: an admin's write while a flow is in flight). */
  setTeamFlags(id: string, flags: { deactivated?: boolean }): void;
  /** Removes a user from a team, on both sides. */
  removeFromTeam(userId: string, teamId: string): void;
  /** Changes a signup record before check-signup reads it. */
  patchSignup(token: string, patch: Partial<Pick<SignupRecord, 'error' | 'switchToServerUrl'>>): boolean;
  /** Misconfiguration (contract failure mode 12): the exchange rebuilds redirect_uri from this origin. */
  exchangeAuthOrigin(origin: string | undefined): void;
  /** Seeds a user (with its own access and broadcaster tokens, channel user-<id>) into this environment. */
  addUser(user: SeedUserInput): void;
  /** Drops a user and its team memberships; false when there was none. */
  removeUser(id: string): boolean;
}

export interface ApiControl {
  readonly journal: ApiJournal;
  readonly store: StoreView;
  readonly broadcasts: BroadcastView;
  readonly providerActions: ProviderActionView;
  readonly inject: ApiInjections;
}

/** The handle of one environment's context. */
export function apiControl(ctx: ApiContext): ApiControl {
  const { store, broadcaster, signups, providerActions } = ctx;
  // The query parameters of each request, decoded: what a flow finds its own requests by.
  const byQuery = () => indexOf(ctx.requests, 'query', (r) => queryKeys(r.rawQuery));
  const journal: ApiJournal = {
    get all() {
      return ctx.requests;
    },
    to: (path) => ctx.requests.filter((r) => r.path === path),
    carrying: (path, name, value) =>
      byQuery()
        .get(queryKey(name, value))
        .find((r) => r.path === path),
    withQuery: (name, value) => byQuery().get(queryKey(name, value)),
  };
  return {
    journal,
    store: {
      user: (id) => store.users.get(id),
      team: (id) => store.teams.get(id),
      users: () => [...store.users.values()],
      holding: (value) => store.users.holding(value),
      signup: (token) => signups.find(token),
      snapshot: () => store.snapshot(),
    },
    broadcasts: {
      history: broadcaster.history,
      published: broadcaster.published,
      failures: broadcaster.failures,
      messagesOn: (channel) => broadcaster.messagesOn(channel),
      carrying: (value) => broadcaster.carrying(value),
      subscriberCount: (channel) => broadcaster.subscriberCount(channel),
    },
    providerActions: { received: providerActions.received, actions: providerActions.actions },
    inject: {
      broadcastFaults: broadcaster.faults,
      checkSignupFaults: ctx.faults,
      writeUser: (id, update) => store.updateUser(id, update),
      setUserFlags(id, flags) {
        const user = store.users.get(id);
        if (!user) throw new Error(`no user "${id}"`);
        if (flags.deactivated !== undefined) user.deactivated = flags.deactivated;
        if (flags.isRegistered !== undefined) user.isRegistered = flags.isRegistered;
        if (flags.inMaintenanceMode !== undefined) user.inMaintenanceMode = flags.inMaintenanceMode;
        if (flags.teamIds !== undefined) user.teamIds = [...flags.teamIds];
        if (flags.companyIds !== undefined) user.companyIds = [...flags.companyIds];
      },
      setTeamFlags(id, flags) {
        const team = store.teams.get(id);
        if (!team) throw new Error(`no team "${id}"`);
        if (flags.deactivated !== undefined) team.deactivated = flags.deactivated;
      },
      removeFromTeam(userId, teamId) {
        const user = store.users.get(userId);
        if (user) user.teamIds = user.teamIds.filter((t) => t !== teamId);
        const team = store.teams.get(teamId);
        if (team) team.memberIds = team.memberIds.filter((m) => m !== userId);
      },
      patchSignup(token, patch) {
        const record = signups.find(token);
        if (!record) return false;
        Object.assign(record, patch);
        return true;
      },
      exchangeAuthOrigin(origin) {
        if (origin === undefined) delete ctx.exchangeAuthOrigin;
        else ctx.exchangeAuthOrigin = origin;
      },
      addUser: (user) => store.addUser(user),
      removeUser: (id) => store.removeUser(id),
    },
  };
}

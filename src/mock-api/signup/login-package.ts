/**
 * LoginHelper's answer to a successful check-signup (contract §5 "Success package"): the me-object with the
 * companies the user may join, the tokens, the server info and URLs, the initial data and the record's fields.
 */
import { defined } from '../../util/defined.js';
import type { ApiContext } from '../context.js';
import { determineCapabilities } from './capabilities.js';
import { csError } from '../cs-errors.js';
import type { SignupRecord } from './records.js';
import type { CompanyDoc, UserDoc } from '../store.js';
import { emailDomain, isWebmail } from './webmail.js';

/** What the agent sent besides the token: nrAccountId makes the answer say whether that account is connected. */
export interface LoginRequest {
  nrAccountId?: number;
}

export function loginPackage(
  ctx: ApiContext,
  userId: string,
  record: SignupRecord,
  request: LoginRequest = {},
): Record<string, unknown> {
  const user = ctx.store.users.get(userId);
  const me = ctx.store.me(userId);
  if (!user || !me) throw csError('RAPI-1003', 'user');
  const api = new URL(ctx.publicApiUrl);
  const webmail = isWebmail(user.email);
  const isOnPrem = false;
  return {
    user: {
      ...me,
      // Unified Identity's auth domains: the real server's lookup answers none (see docs/fidelity.md).
      possibleAuthDomains: [],
      // Webmail domains are never matched for joining, so the field is absent for them.
      ...defined({ eligibleJoinCompanies: webmail ? undefined : eligibleJoinCompanies(ctx, user) }),
    },
    accessToken: user.accessToken,
    broadcasterToken: user.broadcasterToken,
    // The lab's broadcaster is self-hosted like the on-prem one, on the API's own origin.
    socketCluster: { host: api.hostname, port: Number(api.port), ignoreHttps: true },
    capabilities: determineCapabilities({ isOnPrem, suppressEmails: false, globals: new Set() }),
    features: { slack: { interactiveComponentsEnabled: false } },
    isOnPrem,
    isProductionCloud: false,
    runtimeEnvironment: ctx.env.shortName,
    // Every environment of the group; only this one's URL is known to it (docs/fidelity.md, deviations).
    environmentHosts: ctx.config.environments.map((e) => ({
      name: e.name,
      shortName: e.shortName,
      ...(e.name === ctx.env.name ? { publicApiUrl: ctx.publicApiUrl } : {}),
    })),
    isWebmail: webmail,
    // Set only when the agent named a New Relic account; the lab links none to any company.
    ...defined({ accountIsConnected: request.nrAccountId === undefined ? undefined : false }),
    ...ctx.config.serverUrls,
    teams: user.teamIds.map((id) => ctx.store.teams.get(id)).filter((t) => t !== undefined),
    companies: user.companyIds.map((id) => ctx.store.companies.get(id)).filter((c) => c !== undefined),
    streams: [],
    signupStatus: record.signupStatus,
    provider: record.provider,
    ...defined({ providerAccess: record.providerAccess, teamId: record.teamId }),
  };
}

/**
 * Companies the user may join (contract §5 `eligibleJoinCompanies`): by domain, every live company whose
 * domainJoining names the email's domain; by invite, the companies of every user record with the same email
 * (one user record per company), which override a domain match. A registered record brings its access token.
 */
export function eligibleJoinCompanies(ctx: ApiContext, user: UserDoc): Record<string, unknown>[] {
  const domain = emailDomain(user.email);
  const email = user.email.toLowerCase();
  const invites = ctx.store.users
    .withEmail(email)
    .filter((u) => !u.deactivated)
    .flatMap((u) => u.companyIds.map((id) => ({ company: ctx.store.companies.get(id), record: u })))
    .filter((i): i is { company: CompanyDoc; record: UserDoc } => i.company !== undefined);
  const byDomain = [...ctx.store.companies.values()].filter(
    (c) => c.deactivated !== true && (c.domainJoining ?? []).includes(domain) && !invites.some((i) => i.company === c),
  );
  return [
    ...byDomain.map((c) => ({
      id: c.id,
      name: c.name,
      ...defined({ teamId: c.everyoneTeamId }),
      domainJoining: c.domainJoining ?? [],
      memberCount: memberCount(ctx, c.id),
      byDomain: domain,
    })),
    ...invites.map(({ company, record }) => ({
      id: company.id,
      name: company.name,
      ...defined({ teamId: company.everyoneTeamId }),
      memberCount: memberCount(ctx, company.id),
      byInvite: true,
      ...(record.isRegistered ? { accessToken: record.accessToken } : {}),
    })),
  ];
}

function memberCount(ctx: ApiContext, companyId: string): number {
  // Registered members only: an open invite is no member yet (eligible_join_companies_test.js counts 1, then 2 once accepted).
  return [...ctx.store.users.values()].filter(
    (u) => u.isRegistered && !u.deactivated && u.companyIds.includes(companyId),
  ).length;
}

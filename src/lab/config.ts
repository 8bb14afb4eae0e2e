/** The lab's topology and seed data (fixtures/lab.json), validated with zod. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { fixturesDir } from '../util/paths.js';

const EnvironmentSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]'),
  /** The state prefix; null models an unset apiServer.callbackEnvironment (contract §2.2). */
  callbackEnvironment: z.string().nullable(),
  shortName: z.string(),
  /**
   * This environment's integrations config (contract §7): the Slack apps whose interactive calls it verifies
   * (integrations.slack.signingSecretsByAppIds) and its MS Teams bot app ids. The VPN proxy routes by these ids.
   */
  integrations: z
    .object({
      slack: z.object({ signingSecretsByAppIds: z.record(z.string(), z.string()) }).optional(),
      msteams: z.object({ botAppIds: z.array(z.string()) }).optional(),
    })
    .prefault({}),
});

const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  username: z.string(),
  fullName: z.string(),
  isRegistered: z.boolean().default(true),
  accessToken: z.string(),
  broadcasterToken: z.string(),
  /** Seeded `<provider>::<providerUserId>` identities, e.g. the Slack user whose button presses map to this user. */
  providerIdentities: z.array(z.string()).default([]),
});

const TeamSchema = z.object({
  id: z.string(),
  name: z.string(),
  companyId: z.string(),
  memberIds: z.array(z.string()),
  /** Enterprise hosts registered with PUT provider-host: provider → starred host → client. */
  providerHosts: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).default({}),
});

const ClientSchema = z.object({ clientId: z.string(), clientSecret: z.string() }).catchall(z.unknown());

export const LabConfigSchema = z.object({
  secrets: z.object({
    auth: z.string(),
    confirmationCheat: z.string(),
    cookie: z.string(),
    /** Stands in for the Bot Framework channel's signing keys (mock shortcut, see src/signing.ts). */
    botFramework: z.string().default('BotFrameworkSigningKey'),
  }),
  environments: z.array(EnvironmentSchema).min(1),
  defaultEnvironment: z.string(),
  companies: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      /** Email domains whose users may join without an invite (contract §5 eligibleJoinCompanies). */
      domainJoining: z.array(z.string()).optional(),
    }),
  ),
  /**
   * The server URLs every login package carries (contract §5 "New Relic URLs", from the server's sharedGeneral
   * config; check_signup_test.js compares them with the config). The lab's are placeholders nothing calls.
   */
  serverUrls: z
    .object({
      newRelicLandingServiceUrl: z.string().default('https://landing.newrelic.example'),
      o11yServerUrl: z.string().default('https://o11y.newrelic.example'),
      newRelicApiUrl: z.string().default('https://api.newrelic.example'),
      newRelicSecApiUrl: z.string().default('https://sec-api.newrelic.example'),
      telemetryEndpoint: z.string().default('https://telemetry.newrelic.example'),
      csecApiUrl: z.string().default('https://csec.newrelic.example'),
    })
    .prefault({}),
  teams: z.array(TeamSchema),
  users: z.array(UserSchema).min(1),
  defaultUser: z.string(),
  defaultTeam: z.string(),
  /** The CodeStream app registered at each provider: config.integrations[provider]. */
  clients: z.record(z.string(), ClientSchema),
});

export type LabConfig = z.infer<typeof LabConfigSchema>;
export type EnvironmentConfig = z.infer<typeof EnvironmentSchema>;
export type SeedUser = z.infer<typeof UserSchema>;
export type SeedTeam = z.infer<typeof TeamSchema>;
export type ClientConfig = z.infer<typeof ClientSchema>;

/** Reads fixtures/lab.json (or another file) and validates it. */
export async function loadLabConfig(path = join(fixturesDir, 'lab.json')): Promise<LabConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new AppError('LAB_CONFIG_INVALID', `lab config ${path} is not readable JSON`, { cause });
  }
  const parsed = LabConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      'LAB_CONFIG_INVALID',
      `lab config ${path}: field "${issue?.path.join('.') ?? ''}" ${issue?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

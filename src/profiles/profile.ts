/**
 * Provider profiles: every difference between providers is data in fixtures/providers/*.json,
 * read by the mock provider, the mock API's exchange and the flow checks alike.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { defined } from '../util/defined.js';
import { fixturesDir } from '../util/paths.js';
import { IdentitySchema } from './identity.js';
import { LoginSchema } from './login.js';
import {
  AgentSchema,
  DeliverySchema,
  OAuth1Schema,
  Params,
  RefreshSchema,
  ReshapeSchema,
  ServerSchema,
  StorageSchema,
} from './parts.js';
import { SharingProfileCallSchema } from './sharing-schema.js';

const AuthorizeSchema = z.object({
  /** Path of the authorize endpoint on the provider's host (taken from server.authorizeUrl in custom profiles). */
  path: z.string().startsWith('/').optional(),
  responseType: z.string().default('code'),
  /** Name of the scope parameter (Slack: user_scope). */
  scopeParameter: z.string().default('scope'),
  /** The exact scope string, or absent when the provider takes no scope (contract §3.2). */
  scopes: z.string().optional(),
  /** additionalAuthCodeParameters, in order; an override keeps the original key position (contract §3.1). */
  extraParameters: Params.default({}),
  /** Parameters the provider does not take, removed after the merge (Trello: client_id, redirect_uri, state). */
  omitParameters: z.array(z.string()).default([]),
  /** Added when the agent sends requestServerToken (Slack's bot "scope", contract §3.2). */
  serverTokenParameters: Params.default({}),
  /** Where the mock provider reads the client and the redirect URI (Trello: key and return_url). */
  clientIdParameter: z.string().default('client_id'),
  redirectUriParameter: z.string().default('redirect_uri'),
});

const TokenSchema = z.object({
  /** Path of the token endpoint (taken from server.tokenUrl in custom profiles). */
  path: z.string().startsWith('/').optional(),
  /** The token endpoint lives on realApiHost, not on the authorize host (Linear's useApiHostForTokenExchange). */
  onApiHost: z.boolean().default(false),
  /** query | form (multipart) | formQuery (urlencoded body) | json (contract §3.1 table). */
  format: z.enum(['query', 'form', 'formQuery', 'json']),
  /**
   * post: client_id and secret as parameters; basic: HTTP Basic header; assertion: client_id plus the secret
   * as client_assertion of type jwt-bearer (Azure DevOps, contract §3.2).
   */
  clientAuth: z.enum(['post', 'basic', 'assertion']).default('post'),
  /** false for providers marked noGrantType (GitHub). */
  sendGrantType: z.boolean().default(true),
  /** grant_type of the code exchange; Azure DevOps overrides it with the jwt-bearer URN. */
  grantType: z.string().default('authorization_code'),
  codeParameter: z.string().default('code'),
  secretParameter: z.string().default('client_secret'),
  extraParameters: Params.default({}),
  /** How the provider encodes its answer: GitHub answers form-encoded unless JSON is accepted. */
  responseEncoding: z.enum(['json', 'form-unless-json-accepted']).default('json'),
  /** HTTP status of error answers: GitHub uses 200 (oauth-rules-and-quirks §4). */
  errorStatus: z.number().int().min(200).max(599).default(400),
  /** Provider-specific names for the RFC 6749 §5.2 errors. */
  errorNames: z
    .object({
      invalidClient: z.string().default('invalid_client'),
      invalidGrant: z.string().default('invalid_grant'),
      redirectUriMismatch: z.string().default('invalid_grant'),
      invalidRequest: z.string().default('invalid_request'),
    })
    .prefault({}),
  /** Prefix of issued access tokens, to make them look like the real ones (gho_, xoxp-). */
  accessTokenPrefix: z.string().default(''),
  refreshTokenPrefix: z.string().optional(),
  /** expires_in (seconds) on the answer; absent for non-expiring tokens. */
  expiresIn: z.number().int().positive().optional(),
  /** Fixed fields of a successful answer besides the tokens (token_type, scope, …). */
  responseFields: z.record(z.string(), z.unknown()).default({}),
  /** The mock's whole success answer, "{accessToken}"-style strings filled in (Slack v2's authed_user). */
  responseTemplate: z.record(z.string(), z.unknown()).optional(),
  /** Merged into the answer when authorize carried serverTokenParameters (Slack's bot token). */
  serverTokenTemplate: z.record(z.string(), z.unknown()).optional(),
  /** Prefix of the server (bot) token that "{serverToken}" in serverTokenTemplate stands for (Slack: xoxb-). */
  serverTokenPrefix: z.string().default(''),
  /** Error envelope: RFC 6749 §5.2 {error, error_description}, or Slack's {ok:false, error}. */
  errorShape: z.enum(['oauth', 'ok-envelope']).default('oauth'),
  /** Extra fields on error answers (Microsoft's error_codes, trace_id, correlation_id). */
  errorFields: z.record(z.string(), z.unknown()).default({}),
  refresh: RefreshSchema,
  /** How the API reshapes the answer before normalising it (Slack v2, contract §3.2). */
  reshape: ReshapeSchema.optional(),
});

const RulesSchema = z
  .object({
    /** RFC 9700 §2.1 exact matching; a profile may relax it by name where the real provider does. */
    redirectUriMatch: z.enum(['exact', 'prefix', 'origin']).default('exact'),
    /** RFC 6749 §4.1.2: 10 minutes at most. */
    codeLifetimeSeconds: z.number().int().positive().max(600).default(600),
  })
  .prefault({});

export const ProfileSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lowercase letters, digits and "_"'),
  displayName: z.string().min(1),
  /** The real provider's host, for documentation and custom profiles. */
  realHost: z.string().min(1),
  supportsSignup: z.boolean().default(false),
  supportsRefresh: z.boolean().default(false),
  /** Page name on the marketing site's /auth-complete/<page> (contract §3.2 authCompletePage). */
  authCompletePage: z.string().optional(),
  /**
   * The callback is built from the environment's publicApiUrl and bypasses the router
   * (YouTrack, OAuth 1.0a; contract §7).
   */
  restrictive: z.boolean().default(false),
  /** forEnterprise: client and host come from team.providerHosts; connect needs a registered host (contract §3.1). */
  enterprise: z.boolean().default(false),
  /** A second host the token endpoint may live on (Linear's api.linear.app). */
  realApiHost: z.string().optional(),
  authorize: AuthorizeSchema,
  /** The code exchange; absent for OAuth 1.0a and fragment providers, which exchange no code. */
  token: TokenSchema.optional(),
  oauth1: OAuth1Schema.optional(),
  delivery: DeliverySchema,
  agent: AgentSchema,
  storage: StorageSchema,
  /** Set in custom profiles only: the real server the lab talks to instead of a mock. */
  server: ServerSchema.optional(),
  /** Custom profiles: how the headless browser signs in at the real server without a person. */
  login: LoginSchema.optional(),
  rules: RulesSchema,
  /** Sign-in with the provider: its identity endpoints and mock account (contract §3.2); absent → PRVD-1004. */
  identity: IdentitySchema.optional(),
  /**
   * After a sharing connect, the call that fills providerInfo…extra (Slack users.info, contract §3.2);
   * failure → PRVD-1007.
   */
  sharingProfileCall: SharingProfileCallSchema.optional(),
  /**
   * POST /no-auth/provider-token takes a token the client already has (GitHub only, contract §1.6); others → PRVD-1011.
   */
  acceptsClientToken: z.boolean().default(false),
});

// Cross-field rules one field cannot say; each issue names the field a user must fix.
const CheckedProfileSchema = ProfileSchema.superRefine((p, ctx) => {
  const issue = (path: string[], message: string): void => void ctx.addIssue({ code: 'custom', path, message });
  const exchanges = p.oauth1 === undefined && p.delivery.mode === 'code';
  if (exchanges && p.token === undefined) issue(['token'], 'is required for a provider that exchanges a code');
  if (!exchanges && p.token !== undefined)
    issue(['token'], 'must be absent: OAuth 1.0a and fragment providers exchange no code');
  if (p.oauth1 !== undefined && p.delivery.mode === 'fragment')
    issue(['delivery', 'mode'], 'cannot be "fragment" for an OAuth 1.0a provider');
  if (p.server === undefined) {
    if (p.authorize.path === undefined)
      issue(['authorize', 'path'], 'is required (or server.authorizeUrl in a custom profile)');
    if (p.token !== undefined && p.token.path === undefined)
      issue(['token', 'path'], 'is required (or server.tokenUrl in a custom profile)');
  } else if (!exchanges || p.enterprise) {
    issue(['server'], 'is only supported for OAuth 2.0 code-flow providers that are not enterprise');
  }
  if (p.login !== undefined && p.server === undefined) issue(['login'], 'needs a "server" block (a custom profile)');
  if (p.storage.multipleKey !== undefined && !p.agent.sharing)
    issue(['storage', 'multipleKey'], 'needs agent.sharing to be true');
  if (p.agent.requestServerToken && Object.keys(p.authorize.serverTokenParameters).length === 0) {
    issue(['agent', 'requestServerToken'], 'needs authorize.serverTokenParameters');
  }
  if (p.token?.onApiHost === true && p.realApiHost === undefined)
    issue(['realApiHost'], 'is required when token.onApiHost is true');
  if (p.sharingProfileCall !== undefined && (!p.agent.sharing || !exchanges))
    issue(['sharingProfileCall'], 'needs agent.sharing and a code exchange');
  if (p.storage.identityField !== undefined && p.storage.multipleKey === undefined)
    issue(['storage', 'identityField'], 'needs storage.multipleKey');
  // The client-token route looks the identity up on the provider's own host, with nothing else to go on.
  if (p.acceptsClientToken && p.identity?.base !== 'provider')
    issue(['acceptsClientToken'], "needs an identity block on the provider's own host");
}).transform((p) => {
  // Custom profiles give absolute URLs; the checks compare paths, so they are read from the URLs. An issuer-only
  // profile gets its paths when discovery fills the URLs in (withEndpoints).
  const pathOf = (url: string | undefined): string => (url === undefined ? '/' : new URL(url).pathname);
  const authorizePath = p.authorize.path ?? pathOf(p.server?.authorizeUrl);
  const token = p.token === undefined ? undefined : { ...p.token, path: p.token.path ?? pathOf(p.server?.tokenUrl) };
  const { token: _drop, ...rest } = p;
  return { ...rest, authorize: { ...p.authorize, path: authorizePath }, ...defined({ token }) };
});

export type ProviderProfile = z.output<typeof CheckedProfileSchema>;
/** The code-exchange block of a profile that has one. */
export type TokenProfile = NonNullable<ProviderProfile['token']>;

/** Validates one profile; a ProfileError names the file and the field. */
export function parseProfile(json: unknown, source: string): ProviderProfile {
  const parsed = CheckedProfileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new AppError('PROFILE_INVALID', `profile ${source}: field "${field}" ${issue?.message ?? 'is invalid'}`, {
    detail: { source, field, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

/** Reads and validates a profile file; a catalogue file's name must be its id (custom profiles may be named freely). */
export async function loadProfileFile(
  path: string,
  { idFromName = true }: { idFromName?: boolean } = {},
): Promise<ProviderProfile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new AppError('PROFILE_INVALID', `profile ${path} is not readable JSON`, { cause });
  }
  const profile = parseProfile(json, path);
  const expected = basename(path, '.json');
  if (idFromName && profile.id !== expected) {
    throw new AppError('PROFILE_INVALID', `profile ${path}: field "id" is "${profile.id}", expected "${expected}"`);
  }
  return profile;
}

/** Loads every profile of a folder (default fixtures/providers), keyed by id. */
export async function loadProfiles(dir = join(fixturesDir, 'providers')): Promise<Map<string, ProviderProfile>> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const profiles = await Promise.all(files.map((f) => loadProfileFile(join(dir, f))));
  return new Map(profiles.map((p) => [p.id, p]));
}

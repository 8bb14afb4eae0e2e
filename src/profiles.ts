/**
 * Provider profiles: every difference between providers is data in fixtures/providers/*.json,
 * read by the mock provider, the mock API's exchange and the flow checks alike.
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors.js';
import { fixturesDir } from './paths.js';
import { IdentitySchema } from './profile-identity.js';

const Params = z.record(z.string(), z.string());

const AuthorizeSchema = z.object({
  /** Path of the authorize endpoint on the provider's host. */
  path: z.string().startsWith('/'),
  responseType: z.string().default('code'),
  /** Name of the scope parameter (Slack: user_scope). */
  scopeParameter: z.string().default('scope'),
  /** The exact scope string, or absent when the provider takes no scope (contract §3.2). */
  scopes: z.string().optional(),
  /** additionalAuthCodeParameters, in order; an override keeps the original key position (contract §3.1). */
  extraParameters: Params.default({}),
});

const TokenSchema = z.object({
  path: z.string().startsWith('/'),
  /** query | form (multipart) | formQuery (urlencoded body) | json (contract §3.1 table). */
  format: z.enum(['query', 'form', 'formQuery', 'json']),
  /** post: client_id/secret as parameters; basic: HTTP Basic header. */
  clientAuth: z.enum(['post', 'basic']).default('post'),
  /** false for providers marked noGrantType (GitHub). */
  sendGrantType: z.boolean().default(true),
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
});

const RulesSchema = z
  .object({
    /** RFC 9700 §2.1 exact matching; a profile may relax it by name where the real provider does. */
    redirectUriMatch: z.enum(['exact', 'prefix']).default('exact'),
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
  authorize: AuthorizeSchema,
  token: TokenSchema,
  rules: RulesSchema,
  /** Sign-in with the provider: its identity endpoints and mock account (contract §3.2); absent → PRVD-1004. */
  identity: IdentitySchema.optional(),
});

export type ProviderProfile = z.infer<typeof ProfileSchema>;

/** Validates one profile; a ProfileError names the file and the field. */
export function parseProfile(json: unknown, source: string): ProviderProfile {
  const parsed = ProfileSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new AppError('PROFILE_INVALID', `profile ${source}: field "${field}" ${issue?.message ?? 'is invalid'}`, {
    detail: { source, field, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
  });
}

/** Reads and validates a profile file. */
export async function loadProfileFile(path: string): Promise<ProviderProfile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new AppError('PROFILE_INVALID', `profile ${path} is not readable JSON`, { cause });
  }
  const profile = parseProfile(json, path);
  const expected = basename(path, '.json');
  if (profile.id !== expected) {
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

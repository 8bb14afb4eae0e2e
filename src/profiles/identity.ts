/**
 * The `identity` block of a provider profile: how sign-in with the provider finds out who the user is
 * (contract §3.2 "Identity lookups"). The same data drives both sides: the mock provider answers each call
 * from `answer` with its seeded `account`, and the mock API reads the fields CodeStream reads from `read`.
 */
import { z } from 'zod';

/** The mock provider's account: who signs in unless a test or flag sets the next identity. */
export const MockAccountSchema = z.object({
  /** The provider user id; a number where the real provider uses one (GitHub, GitLab). */
  id: z.union([z.string().min(1), z.number().int()]),
  username: z.string(),
  fullName: z.string(),
  email: z.string().nullable(),
  /** Whether the email is shown on the public profile (GitLab's public_email). */
  publicEmail: z.boolean().default(true),
  /** Whether the email is marked primary in the emails list (GitHub, Bitbucket). */
  primaryEmail: z.boolean().default(true),
});

/** Where CodeStream reads the identity in one answer; every value is a dotted path into the JSON. */
const ReadSchema = z.object({
  /** The answer (".") or the field ("values") holding a list of emails; the primary item is used. */
  list: z.string().optional(),
  /** In a list item: the boolean marking the primary email. */
  primary: z.string().optional(),
  id: z.string().optional(),
  username: z.string().optional(),
  fullName: z.string().optional(),
  /** Fields tried in order; the first non-empty one is the email. */
  email: z.array(z.string()).default([]),
});

const CallSchema = z.object({
  /** Path on the identity host; "{id}" stands for the user id an earlier call read (GitLab's /users/<id>). */
  path: z.string().startsWith('/'),
  /**
   * The real provider's answer as a template: a string that is exactly "{id}", "{username}", "{fullName}",
   * "{email}", "{publicEmail}" or "{primaryEmail}" becomes that value of the account (typed, may be null).
   */
  answer: z.unknown(),
  read: ReadSchema.prefault({}),
});

export const IdentitySchema = z.object({
  /**
   * provider: the provider's own (API) host. hostUrl: the customer's host from the pauth's `hu` (Okta); then
   * authorize, token and identity all live under it and sign-in without it is PRVD-1008 (contract §3.2).
   */
  base: z.enum(['provider', 'hostUrl']).default('provider'),
  /** The real identity host, for documentation (api.github.com). */
  realHost: z.string().optional(),
  calls: z.array(CallSchema).min(1),
  /** The CodeStream code when no email comes back: PRVD-1010 (GitLab), PRVD-1005 (Bitbucket), else RAPI-1010. */
  missingEmail: z.enum(['RAPI-1010', 'PRVD-1005', 'PRVD-1010']).default('RAPI-1010'),
  account: MockAccountSchema,
});

export type IdentityConfig = z.infer<typeof IdentitySchema>;
export type IdentityCall = IdentityConfig['calls'][number];
export type MockAccount = z.infer<typeof MockAccountSchema>;

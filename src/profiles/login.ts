/**
 * The `login` block of a custom profile: how the headless browser signs in at a real authorization server
 * without a person (CI against a staging server). The profile names the form fields and the environment
 * variables holding their values, never the values: those are secrets, read when the profile is loaded.
 */
import { z } from 'zod';
import type { LoginValues } from './login-values.js';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

export const LoginSchema = z.object({
  /** Form field name → the environment variable holding what to type in ({"username": "SSO_USER"}). */
  fields: z.record(z.string().min(1), EnvName).refine((f) => Object.keys(f).length > 0, 'needs at least one field'),
  /** The label of the login form's submit button. */
  submit: z.string().min(1),
  /** The label of the consent page's approve button; absent: the first button reading Allow, Approve, Authorize…. */
  consent: z.string().min(1).optional(),
});

export type LoginConfig = z.infer<typeof LoginSchema>;

/** The variables of `login` that `env` lacks (or holds empty). */
export function missingLoginVars(login: LoginConfig, env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.values(login.fields).filter((name) => (env[name] ?? '') === '');
}

/** `login` with each field's value read from `env` (missingLoginVars must be empty). */
export function loginValues(login: LoginConfig, env: Readonly<Record<string, string | undefined>>): LoginValues {
  const fields = Object.fromEntries(Object.entries(login.fields).map(([field, name]) => [field, env[name] ?? '']));
  return { fields, submit: login.submit, ...(login.consent === undefined ? {} : { consent: login.consent }) };
}

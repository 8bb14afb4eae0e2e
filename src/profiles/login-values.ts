/**
 * The login values a custom profile's client entry carries (src/profiles/login.ts fills them from the
 * environment). Read here without zod: the lab reads them at the start of every flow, and a cold CLI run
 * should not load zod for a block only custom profiles have.
 */
import { isJsonObject } from '../util/json.js';

/** The login with its values filled in, as the lab config's client entry of a custom profile carries it. */
export interface LoginValues {
  fields: Record<string, string>;
  submit: string;
  consent?: string;
}

/** The login values a lab config's client entry carries, if any (a malformed block counts as none). */
export function loginOf(client: Readonly<Record<string, unknown>> | undefined): LoginValues | undefined {
  const login = client?.login;
  if (!isJsonObject(login) || !isJsonObject(login.fields) || typeof login.submit !== 'string') return undefined;
  const fields = Object.entries(login.fields);
  if (!fields.every((entry): entry is [string, string] => typeof entry[1] === 'string')) return undefined;
  const { consent } = login;
  if (consent !== undefined && typeof consent !== 'string') return undefined;
  return { fields: Object.fromEntries(fields), submit: login.submit, ...(consent === undefined ? {} : { consent }) };
}

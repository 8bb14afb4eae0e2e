/**
 * The API's identity lookup for sign-in (contract §1.5 step 8, §3.2 "Identity lookups"): the provider's
 * identity calls in the profile's order, with the access token the exchange returned, reading the fields
 * CodeStream reads. A failed call is PRVD-1001; no email is the profile's missingEmail code.
 */
import { getPath } from '../../util/dotted.js';
import { defined } from '../../util/defined.js';
import type { IdentityCall, IdentityConfig } from '../../profiles/identity.js';
import { csError } from '../cs-errors.js';
import { answerJson } from './answer-json.js';

/** Who the provider says the user is, as the identity connector needs it. */
export interface ProviderIdentity {
  /** The provider's user id, as a string (the `<provider>::<id>` identity). */
  userId: string;
  username?: string;
  fullName?: string;
  email: string;
}

export interface IdentityLookup {
  /** The identity host: the provider's origin, or the sign-up's hostUrl (Okta). */
  baseUrl: string;
  accessToken: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

type Found = { userId?: string; username?: string; fullName?: string; email?: string };

/** Runs every identity call and merges what they say; the first non-empty value of a field wins. */
export async function lookupIdentity(identity: IdentityConfig, input: IdentityLookup): Promise<ProviderIdentity> {
  const found: Found = {};
  for (const call of identity.calls) {
    const body = await getJson(call, found, input);
    merge(found, readCall(call, body));
  }
  if (found.userId === undefined) throw csError('PRVD-1001', 'the identity has no user id');
  if (found.email === undefined) throw csError(identity.missingEmail, 'the identity has no usable email');
  return {
    userId: found.userId,
    email: found.email,
    ...defined({ username: found.username, fullName: found.fullName }),
  };
}

/** Reads one answer as the profile says: plain fields, or the primary item of an emails list. */
export function readCall(call: IdentityCall, body: unknown): Found {
  const { read } = call;
  const out: Found = {};
  const id = text(getField(body, read.id));
  if (id !== undefined) out.userId = id;
  const username = text(getField(body, read.username));
  if (username !== undefined) out.username = username;
  const fullName = text(getField(body, read.fullName));
  if (fullName !== undefined) out.fullName = fullName;
  let source: unknown = body;
  if (read.list !== undefined) {
    const list: unknown = read.list === '.' ? body : getPath(body, read.list);
    const items: unknown[] = Array.isArray(list) ? list : [];
    // Contract §3.2: GitHub and Bitbucket use the email marked primary; none marked means none usable.
    const primary = read.primary;
    source = primary === undefined ? items[0] : items.find((item) => getPath(item, primary) === true);
  }
  for (const field of read.email) {
    const email = text(getPath(source, field));
    if (email !== undefined) {
      out.email = email;
      break;
    }
  }
  return out;
}

async function getJson(call: IdentityCall, found: Found, input: IdentityLookup): Promise<unknown> {
  if (call.path.includes('{id}') && found.userId === undefined)
    throw csError('PRVD-1001', `"${call.path}" needs a user id no earlier call gave`);
  const path = call.path.replaceAll('{id}', encodeURIComponent(found.userId ?? ''));
  let response: Response;
  try {
    response = await input.fetch(`${input.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${input.accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(input.timeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    throw csError('PRVD-1001', `GET ${path} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw csError('PRVD-1001', `GET ${path} answered ${response.status}`);
  const body = await answerJson(response);
  if (body === undefined) throw csError('PRVD-1001', `GET ${path} answered with a body that is not JSON`);
  return body;
}

function getField(body: unknown, path: string | undefined): unknown {
  return path === undefined ? undefined : getPath(body, path);
}

// Numbers (GitHub and GitLab ids) become strings; null, "" and objects count as absent.
function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function merge(into: Found, from: Found): void {
  for (const key of ['userId', 'username', 'fullName', 'email'] as const) {
    if (into[key] === undefined && from[key] !== undefined) into[key] = from[key];
  }
}

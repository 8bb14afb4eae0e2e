/**
 * What a sharing connect stores beyond the token (contract §3.2 last bullet, §4.1 "Sharing model"): the
 * profile's sharingProfileCall (Slack users.info with the user token) read into `extra`, and the provider
 * identity of the workspace entry. A failed call is PRVD-1007 (failure mode 34).
 */
import { getPath } from '../../util/dotted.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import { sharingQuery, type SharingProfileCall } from '../../profiles/sharing.js';
import type { ApiContext } from '../context.js';
import { defined } from '../../util/defined.js';
import { csError } from '../cs-errors.js';
import { answerJson } from './answer-json.js';
import type { TokenData } from './exchange.js';

/** The fields a sharing connect writes beside the token. */
export interface SharingWrite {
  /** providerInfo…multiple.<id>.extra: {locale, tz, tz_label} for Slack. */
  extra?: Record<string, unknown>;
  /** $addToSet providerIdentities: "<provider>::<provider user id>". */
  providerIdentity?: string;
}

/** Runs the profile's sharing call when the connect shares; `baseUrl` is the provider host the token came from. */
export async function sharingWriteFor(
  ctx: ApiContext,
  profile: ProviderProfile,
  input: { sharing: boolean; tokenData: TokenData; baseUrl: string },
): Promise<SharingWrite> {
  // note: no token means nothing to ask with; storing then fails with RAPI-1010 (Slack without authed_user, FM 35).
  if (!input.sharing || !input.tokenData.accessToken || profile.storage.multipleKey === undefined) return {};
  const identity = providerIdentityOf(profile, input.tokenData.data);
  const call = profile.sharingProfileCall;
  const extra = call === undefined ? undefined : await fetchExtra(ctx, call, input.baseUrl, input.tokenData);
  return defined({ extra, providerIdentity: identity });
}

/** "<provider>::<data[identityField]>" of a stored multiple entry, or undefined when the profile names no field. */
export function providerIdentityOf(profile: ProviderProfile, data: unknown): string | undefined {
  const field = profile.storage.identityField;
  const value = field === undefined ? undefined : getPath(data, field);
  return typeof value === 'string' || typeof value === 'number' ? `${profile.id}::${value}` : undefined;
}

async function fetchExtra(
  ctx: ApiContext,
  call: SharingProfileCall,
  baseUrl: string,
  tokenData: TokenData,
): Promise<Record<string, unknown>> {
  const query = sharingQuery(call, tokenData.data);
  if ('missing' in query)
    throw csError('PRVD-1007', `no "${query.missing}" in the token answer to ask ${call.path} about`);
  const url = `${baseUrl}${call.path}?${query.params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
  let response: Response;
  try {
    response = await ctx.fetch(url, {
      headers: { authorization: `Bearer ${tokenData.accessToken ?? ''}`, accept: 'application/json' },
      signal: AbortSignal.timeout(ctx.exchangeTimeoutMs),
      redirect: 'manual',
    });
  } catch (err) {
    throw csError('PRVD-1007', `GET ${call.path} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw csError('PRVD-1007', `GET ${call.path} answered ${response.status}`);
  const body = await answerJson(response);
  if (body === undefined) throw csError('PRVD-1007', `GET ${call.path} answered with a body that is not JSON`);
  // Slack answers its errors with 200 and {ok:false, error}: the envelope decides, not the status.
  if (call.okField !== undefined && getPath(body, call.okField) !== true) {
    const ok = String(getPath(body, call.okField));
    const error = String(getPath(body, 'error'));
    throw csError('PRVD-1007', `GET ${call.path} answered ${call.okField}=${ok} (error "${error}")`);
  }
  const extra: Record<string, unknown> = {};
  for (const [name, path] of Object.entries(call.extra)) {
    const value = getPath(body, path);
    if (value !== undefined) extra[name] = value;
  }
  return extra;
}

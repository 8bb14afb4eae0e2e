/**
 * Endpoints of a custom profile that names only `server.issuer`: read from the issuer's metadata, first the
 * OAuth 2.0 Authorization Server Metadata (RFC 8414 §3), then OpenID Connect Discovery 1.0 §4. A document
 * counts only if its `issuer` is the configured one (RFC 8414 §3.3) and it names both endpoints (§2).
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseJsonObject } from '../util/json.js';
import type { ProviderProfile } from './profile.js';

const MetadataSchema = z.object({
  issuer: z.string(),
  authorization_endpoint: z.url({ protocol: /^https?$/ }),
  token_endpoint: z.url({ protocol: /^https?$/ }),
});

export interface DiscoveredEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** The document the endpoints came from. */
  document: string;
}

/** The metadata URLs to try for `issuer`, in order. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  // RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path.
  const oauth = `${url.origin}/.well-known/oauth-authorization-server${path}`;
  // OpenID Connect Discovery 1.0 §4.1: appended to the issuer, after any trailing "/" is removed.
  const openid = `${url.origin}${path}/.well-known/openid-configuration`;
  return [oauth, openid];
}

/** Discovers the endpoints of `issuer`; a UsageError says what each document answered when none will do. */
export async function discoverEndpoints(issuer: string, fetchFn: typeof fetch): Promise<DiscoveredEndpoints> {
  const tried: string[] = [];
  for (const document of metadataUrls(issuer)) {
    let status: number;
    let text: string;
    try {
      const res = await fetchFn(document, { headers: { accept: 'application/json' }, redirect: 'error' });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      tried.push(`${document}: ${cause instanceof Error ? cause.message : String(cause)}`);
      continue;
    }
    if (status !== 200) {
      tried.push(`${document}: ${status}`);
      continue;
    }
    const parsed = MetadataSchema.safeParse(parseJsonObject(text));
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || 'the body';
      tried.push(`${document}: ${field} is missing or invalid`);
      continue;
    }
    const meta = parsed.data;
    if (meta.issuer !== issuer) {
      tried.push(`${document}: issuer is "${meta.issuer}", not "${issuer}" (RFC 8414 §3.3)`);
      continue;
    }
    return { authorizeUrl: meta.authorization_endpoint, tokenUrl: meta.token_endpoint, document };
  }
  throw new UsageError(`no discovery document of issuer ${issuer} names its endpoints`, {
    hint: `Tried ${tried.join('; ')}. Give "server.authorizeUrl" and "server.tokenUrl" instead.`,
  });
}

/** The profile with its server's endpoints (and the paths the checks compare) set to `found`. */
export function withEndpoints(profile: ProviderProfile, found: DiscoveredEndpoints): ProviderProfile {
  const server = profile.server;
  if (server === undefined) return profile;
  return {
    ...profile,
    server: { ...server, authorizeUrl: found.authorizeUrl, tokenUrl: found.tokenUrl, discoveredFrom: found.document },
    authorize: { ...profile.authorize, path: new URL(found.authorizeUrl).pathname },
    ...(profile.token === undefined ? {} : { token: { ...profile.token, path: new URL(found.tokenUrl).pathname } }),
  };
}

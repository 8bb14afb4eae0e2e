/** Client authentication at the token endpoint (RFC 6749 §2.3): post, HTTP Basic, or a jwt-bearer assertion. */
import type { Request } from 'express';
import type { TokenProfile } from '../profiles/profile.js';
import type { ProviderContext, RegisteredClient } from './context.js';
import { invalidClient } from './errors.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The authenticated client, or invalid_client (401 where the Authorization header was used, §5.2). */
export function authenticateClient(
  ctx: ProviderContext,
  t: TokenProfile,
  req: Request,
  params: Record<string, string>,
): RegisteredClient {
  const { clientId, clientSecret } = credentialsOf(t, req, params);
  const client = ctx.clients.find((c) => c.clientId === clientId);
  if (!client || client.clientSecret !== clientSecret)
    throw invalidClient(`client "${clientId ?? ''}" failed authentication`);
  return client;
}

function credentialsOf(
  t: TokenProfile,
  req: Request,
  params: Record<string, string>,
): { clientId?: string; clientSecret?: string } {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      // RFC 6749 §2.3.1: both halves are form-urlencoded; a bad escape is a failed authentication, not a 500.
      try {
        return {
          clientId: decodeURIComponent(decoded.slice(0, colon)),
          clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
        };
      } catch {
        throw invalidClient('the Basic credentials are not valid percent-encoding');
      }
    }
  }
  const out: { clientId?: string; clientSecret?: string } = {};
  if (params.client_id !== undefined) out.clientId = params.client_id;
  if (t.clientAuth === 'assertion') {
    // note: Azure DevOps takes the app secret itself as the assertion (contract §3.2); RFC 7523 would want a
    // signed JWT.
    if (params.client_assertion_type !== JWT_BEARER_ASSERTION) {
      throw invalidClient(`client_assertion_type must be "${JWT_BEARER_ASSERTION}"`);
    }
    if (params.client_assertion !== undefined) out.clientSecret = params.client_assertion;
    return out;
  }
  const secret = params[t.secretParameter];
  if (secret !== undefined) out.clientSecret = secret;
  return out;
}

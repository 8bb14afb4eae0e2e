/** The authorize redirect of contract §3.1: parameters in a fixed order, each encodeURIComponent-encoded. */
import type { ProviderProfile } from '../profiles.js';

export interface AuthorizeUrlInput {
  providerUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
}

/** Ordered parameters: client_id, redirect_uri, response_type, state, scope, then the extras merged in place. */
export function authorizeParameters(profile: ProviderProfile, input: AuthorizeUrlInput): [string, string][] {
  const params: Record<string, string> = {
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    response_type: 'code',
    state: input.state,
  };
  if (profile.authorize.scopes !== undefined) params[profile.authorize.scopeParameter] = profile.authorize.scopes;
  // Object.assign semantics: an override keeps the original key position (YouTrack's response_type stays third).
  Object.assign(params, profile.authorize.extraParameters);
  if (profile.authorize.responseType !== 'code') params.response_type = profile.authorize.responseType;
  return Object.entries(params);
}

export function buildAuthorizeUrl(profile: ProviderProfile, input: AuthorizeUrlInput): string {
  const query = authorizeParameters(profile, input)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${input.providerUrl}${profile.authorize.path}?${query}`;
}

/** The authorize redirect of contract §3.1: parameters in a fixed order, each encodeURIComponent-encoded. */
import type { ProviderProfile } from '../profiles/profile.js';

export interface AuthorizeUrlInput {
  providerUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  /** The agent asked for a server token (Slack's bot scope, contract §3.2). */
  requestServerToken?: boolean;
  /** Fields of the client config that "{client.<field>}" templates read (Trello's apiKey). */
  client?: Readonly<Record<string, unknown>>;
}

/**
 * Ordered parameters: client_id, redirect_uri, response_type, state, the scope parameter, then the extras
 * merged with Object.assign semantics (an override keeps its position: YouTrack's response_type stays
 * third), then the provider's omissions (Trello keeps only its own parameters).
 */
export function authorizeParameters(profile: ProviderProfile, input: AuthorizeUrlInput): [string, string][] {
  const a = profile.authorize;
  const params = new Map<string, string>([
    ['client_id', input.clientId],
    ['redirect_uri', input.redirectUri],
    ['response_type', a.responseType],
    ['state', input.state],
  ]);
  if (a.scopes !== undefined) params.set(a.scopeParameter, a.scopes);
  const extras = { ...a.extraParameters, ...(input.requestServerToken ? a.serverTokenParameters : {}) };
  for (const [k, v] of Object.entries(extras)) params.set(k, fillTemplate(v, input));
  for (const k of a.omitParameters) params.delete(k);
  return [...params];
}

export function buildAuthorizeUrl(profile: ProviderProfile, input: AuthorizeUrlInput): string {
  const query = authorizeParameters(profile, input)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return `${input.providerUrl}${profile.authorize.path}?${query}`;
}

// "{redirectUri}", "{state}", "{clientId}" and "{client.<field>}" inside extra parameter values (Trello's
// return_url and key).
function fillTemplate(value: string, input: AuthorizeUrlInput): string {
  return value.replace(/\{([\w.]+)\}/g, (whole, name: string) => {
    if (name === 'redirectUri') return input.redirectUri;
    if (name === 'state') return input.state;
    if (name === 'clientId') return input.clientId;
    if (name.startsWith('client.')) {
      const field = input.client?.[name.slice(7)];
      return typeof field === 'string' ? field : '';
    }
    return whole;
  });
}

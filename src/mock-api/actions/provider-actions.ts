/** What one environment's provider-action endpoint received and accepted (contract §7), for checks. */

/** One POST to /no-auth/provider-action/<provider>, accepted or not, with its bytes as they arrived. */
export interface ReceivedProviderCall {
  provider: string;
  rawBody: Buffer;
  headers: Record<string, string>;
  at: number;
  status?: number;
  /** The CodeStream error code of a refusal (RAPI-1003 for a bad signature, a stale timestamp, an unknown app). */
  code?: string;
  reason?: string;
}

/** An accepted action: who pressed what, and which CodeStream user it maps to. */
export interface ProviderAction {
  provider: string;
  /** Slack's api_app_id, or the MS Teams bot's app id. */
  appId: string;
  type: string;
  /** The provider-side user (Slack user id, Teams AAD object id). */
  providerUserId?: string;
  /** The provider's id of the interaction as the call carried it (Slack's trigger_id, the Teams activity id). */
  callId?: string;
  /** The CodeStream user found through providerIdentities; null when none matches. */
  userId: string | null;
  /** Slack: the JSON action id of contract §7; Teams: the activity's value. */
  actionId?: unknown;
  /** What the MS Teams bot answered. */
  reply?: string;
  at: number;
}

/** A payload field as text for the log: strings as they are, other JSON values as JSON, none as "". */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

/** Every call an environment's provider-action endpoint received, and the ones it accepted. */
export class ProviderActionLog {
  readonly received: ReceivedProviderCall[] = [];
  readonly actions: ProviderAction[] = [];
}

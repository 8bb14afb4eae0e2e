/**
 * The provider-initiated calls of contract §7, as the mock Slack and the mock Teams channel build them:
 * a Slack interactive-components POST (form body `payload=<json>`, v0 signature) and a Bot Framework
 * activity (JSON, bearer JWT). Pure builders: the flow sends the result to the VPN proxy's URL.
 */
import { randomUUID } from 'node:crypto';
import { signBotToken, slackSignature } from '../protocol/slack-teams-signing.js';

/** Providers that call CodeStream on their own, and how a run can spoil their call. */
export const INTERACTIVE_PROVIDERS = ['slack', 'msteams'] as const;
export type InteractiveProvider = (typeof INTERACTIVE_PROVIDERS)[number];
export const TAMPERS = ['signature', 'timestamp', 'app'] as const;
export type Tamper = (typeof TAMPERS)[number];

/** An app id no environment owns, for `--tamper app`. */
export const UNKNOWN_APP_ID = 'A0NOBODY000';
export const UNKNOWN_BOT_APP_ID = '00000000-dead-4bad-8bad-000000000000';
/** A stale call is this far in the past: beyond Slack's 300 s window and the Bot Framework's 5-minute skew. */
export const STALE_BY_S = 360;

/** The lab's Slack workspace and Teams tenant (provider-side data the environments never configure). */
export const SLACK_WORKSPACE = { id: 'T0ACME00001', domain: 'acme' } as const;
export const TEAMS_TENANT_ID = '5e7a0c1d-4f21-4b8e-9a3c-acme00000001';
export const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/amer/';

/** A provider's call, ready to send: path under the proxy, headers, the exact bytes. */
export interface ProviderCall {
  provider: InteractiveProvider;
  path: string;
  headers: Record<string, string>;
  rawBody: Buffer;
  /** The app id the call names (what the proxy routes by). */
  appId: string;
  /**
   * The provider's id of this one interaction (Slack's trigger_id, the Teams activity id): unique per call and
   * written into the body as it is (only [0-9a-f.-]), so a run finds its own call in any journal by it.
   */
  callId: string;
  /** What the provider did, in words, for notes. */
  summary: string;
}

export interface SlackActionInput {
  appId: string;
  signingSecret: string;
  slackUserId: string;
  /** The CodeStream action id of contract §7 ({id, linkType, teamId, codemarkId, markerId}). */
  actionId: Record<string, unknown>;
  now: () => number;
  tamper?: Tamper;
}

/** A block_actions press, signed as Slack signs it; `tamper` spoils one thing the environment checks. */
export function buildSlackAction(input: SlackActionInput): ProviderCall {
  const timestamp = String(Math.floor(input.now() / 1000) - (input.tamper === 'timestamp' ? STALE_BY_S : 0));
  const appId = input.tamper === 'app' ? UNKNOWN_APP_ID : input.appId;
  const callId = `${timestamp}.${randomUUID().slice(0, 8)}`;
  const payload = {
    type: 'block_actions',
    api_app_id: appId,
    team: SLACK_WORKSPACE,
    user: { id: input.slackUserId, team_id: SLACK_WORKSPACE.id },
    trigger_id: callId,
    actions: [
      {
        type: 'button',
        block_id: 'codestream-actions',
        action_id: JSON.stringify(input.actionId),
        action_ts: timestamp,
      },
    ],
  };
  const rawBody = Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  // A forger does not know the app's secret: the signature is made with another one.
  const secret = input.tamper === 'signature' ? `${input.signingSecret}-forged` : input.signingSecret;
  return {
    provider: 'slack',
    path: '/no-auth/provider-action/slack',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(secret, timestamp, rawBody),
    },
    rawBody,
    appId,
    callId,
    summary: `block_actions from ${input.slackUserId} for app ${appId}`,
  };
}

export interface TeamsActivityInput {
  botAppId: string;
  /** The channel's signing key (lab.json secrets.botFramework). */
  channelKey: string;
  aadObjectId: string;
  signInCode: string;
  now: () => number;
  tamper?: Tamper;
}

/** A sign-in card submission to the bot, with the channel's bearer token; replies come back in the answer. */
export async function buildTeamsActivity(input: TeamsActivityInput): Promise<ProviderCall> {
  const botAppId = input.tamper === 'app' ? UNKNOWN_BOT_APP_ID : input.botAppId;
  const callId = randomUUID();
  const activity = {
    type: 'message',
    id: callId,
    timestamp: new Date(input.now()).toISOString(),
    channelId: 'msteams',
    serviceUrl: TEAMS_SERVICE_URL,
    deliveryMode: 'expectReplies',
    from: { id: `29:${input.aadObjectId}`, aadObjectId: input.aadObjectId },
    conversation: { id: `a:${input.aadObjectId}`, conversationType: 'personal', tenantId: TEAMS_TENANT_ID },
    recipient: { id: `28:${botAppId}`, name: 'CodeStream' },
    value: { signInCode: input.signInCode },
    channelData: { tenant: { id: TEAMS_TENANT_ID } },
  };
  const token = await signBotToken({
    key: input.tamper === 'signature' ? `${input.channelKey}-forged` : input.channelKey,
    botAppId,
    serviceUrl: TEAMS_SERVICE_URL,
    now: input.now,
    // Issued long enough ago that it expired more than the allowed skew before now.
    ...(input.tamper === 'timestamp' ? { issuedAgoS: 3600 + STALE_BY_S } : {}),
  });
  return {
    provider: 'msteams',
    path: '/no-auth/provider-action/msteams',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework/3.0)',
      authorization: `Bearer ${token}`,
    },
    rawBody: Buffer.from(JSON.stringify(activity)),
    appId: botAppId,
    callId,
    summary: `sign-in card submission to bot ${botAppId}`,
  };
}

/**
 * What differs between the two provider-initiated paths of contract §7 (Slack interactive components and
 * MS Teams bot activities): which app ids an environment owns, how the provider signs, what an accepted
 * call changes in the environment and what the agent then receives.
 */
import { createHmac } from 'node:crypto';
import { decodeJwt } from 'jose/jwt/decode';
import { defined } from '../../util/defined.js';
import { getPath } from '../../util/dotted.js';
import { parseJsonObject } from '../../util/json.js';
import type { EnvironmentConfig } from '../../lab/config.js';
import type { ProviderAction } from '../../mock-api/actions/provider-actions.js';
import {
  buildSlackAction,
  buildTeamsActivity,
  TEAMS_TENANT_ID,
  type ProviderCall,
} from '../../agent-sim/provider-calls.js';
import type { ReceivedMessage } from '../../agent-sim/broadcast-client.js';
import type { InteractContext } from './steps.js';
import { SLACK_TIMESTAMP_WINDOW_S, TEAMS_CONNECTED_REPLY } from '../engine/contract.js';
import { operatorOf } from '../engine/directive.js';
import type { StepContext } from '../engine/runner.js';

export interface InteractKit {
  displayName: string;
  appIdsOf(env: EnvironmentConfig): string[];
  /** The headers the environment verifies; each must arrive unchanged. */
  signedHeaders: readonly string[];
  /** The IDE first gets a one-time connect code that the call carries (MS Teams sign-in, contract §7). */
  needsConnectCode?: boolean;
  signTitle: string;
  verifyTitle: string;
  build(ctx: InteractContext): Promise<ProviderCall>;
  /** Independent checks of what the provider signed (not with the code the environment uses). */
  checkSigned(ctx: InteractContext, s: StepContext, call: ProviderCall): string;
  /** What an accepted call changed in the environment. */
  checkAccepted(ctx: InteractContext, s: StepContext, action: ProviderAction | undefined): string;
  isDelivery(ctx: InteractContext, m: ReceivedMessage): boolean;
}

// The CodeStream action a button press carries (contract §7): a codemark's "open in IDE" link.
const ACTION_ID = { id: 'open-in-ide', linkType: 'web', teamId: '', codemarkId: 'codemark-1', markerId: 'marker-1' };

const slack: InteractKit = {
  displayName: 'Slack',
  appIdsOf: (env) => Object.keys(env.integrations.slack?.signingSecretsByAppIds ?? {}),
  signedHeaders: ['x-slack-signature', 'x-slack-request-timestamp', 'content-type'],
  signTitle: 'Mock Slack signs an interactive-components POST (v0 HMAC of the raw body)',
  verifyTitle: 'Environment checks app id, 300 s window and signature',
  async build(ctx) {
    const slackUserId = identityOf(ctx, 'slack') ?? 'U0NOBODY000';
    const signingSecret = ctx.env.integrations.slack?.signingSecretsByAppIds[ctx.appId ?? ''] ?? '';
    return buildSlackAction({
      appId: ctx.appId ?? '',
      signingSecret,
      slackUserId,
      actionId: { ...ACTION_ID, teamId: ctx.teamId },
      now: ctx.now,
      ...tamperOf(ctx),
    });
  },
  checkSigned(ctx, s, call) {
    const text = call.rawBody.toString('utf8');
    s.check('form body is payload=<json>', text.startsWith('payload='), 'payload=…', text.slice(0, 12));
    const ts = Number(call.headers['x-slack-request-timestamp']);
    const age = Math.round(ctx.now() / 1000 - ts);
    const secret = ctx.env.integrations.slack?.signingSecretsByAppIds[ctx.appId ?? ''] ?? '';
    const signed = `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(call.rawBody).digest('hex')}`;
    const signature = call.headers['x-slack-signature'];
    if (ctx.tamper === 'signature')
      s.check("signature made without the app's secret (tampered)", signature !== signed, 'a mismatch', signature);
    else
      s.check(
        'x-slack-signature = v0=HMAC-SHA256(secret, "v0:<ts>:<raw body>")',
        signature === signed,
        signed,
        signature,
      );
    if (ctx.tamper === 'timestamp')
      s.check(
        `timestamp ${age} s old, beyond ${SLACK_TIMESTAMP_WINDOW_S} s (tampered)`,
        age > SLACK_TIMESTAMP_WINDOW_S,
        `> ${SLACK_TIMESTAMP_WINDOW_S} s`,
        `${age} s`,
      );
    else
      s.check(
        `timestamp within ${SLACK_TIMESTAMP_WINDOW_S} s`,
        Math.abs(age) <= SLACK_TIMESTAMP_WINDOW_S,
        `≤ ${SLACK_TIMESTAMP_WINDOW_S} s`,
        `${age} s`,
      );
    return `${call.rawBody.length} bytes, ts ${ts}, app ${call.appId}`;
  },
  checkAccepted(ctx, s, action) {
    s.expectEqual('action type', 'block_actions', action?.type);
    s.expectEqual('maps to the CodeStream user through slack::<id>', ctx.userId, action?.userId);
    const expected = JSON.stringify({ ...ACTION_ID, teamId: ctx.teamId });
    s.expectEqual('action id as sent', expected, JSON.stringify(action?.actionId));
    return `block_actions by ${action?.providerUserId ?? '?'} → ${ctx.userId}`;
  },
  // The action of this run's call (by its trigger_id): other calls may map to the same user meanwhile.
  isDelivery: (ctx, m) => getPath(m.message.providerAction, 'callId') === ctx.callId,
};

const msteams: InteractKit = {
  displayName: 'MS Teams',
  needsConnectCode: true,
  appIdsOf: (env) => env.integrations.msteams?.botAppIds ?? [],
  signedHeaders: ['authorization', 'content-type'],
  signTitle: 'Mock Teams channel sends the sign-in card activity with its bearer token',
  verifyTitle: 'Environment authenticates the channel token and signs the team in',
  async build(ctx) {
    return buildTeamsActivity({
      botAppId: ctx.appId ?? '',
      channelKey: ctx.lab.config.secrets.botFramework,
      aadObjectId: `aad-${ctx.userId}`,
      signInCode: ctx.connectCode ?? '',
      now: ctx.now,
      ...tamperOf(ctx),
    });
  },
  checkSigned(ctx, s, call) {
    const claims = decodeJwt((call.headers.authorization ?? '').replace(/^Bearer /, ''));
    s.expectEqual('token aud is the bot app id', call.appId, claims.aud);
    s.expectEqual('token iss', 'https://api.botframework.com', claims.iss);
    const leftS = Number(claims.exp) - Math.floor(ctx.now() / 1000);
    if (ctx.tamper === 'timestamp')
      s.check('token expired beyond the 5-minute skew (tampered)', leftS < -300, '< −300 s', `${leftS} s`);
    else s.check('token not expired', leftS > 0, '> 0 s', `${leftS} s`);
    const activity = parseJsonObject(call.rawBody.toString('utf8'));
    s.expectEqual('activity carries the connect code', ctx.connectCode, getPath(activity, 'value.signInCode'));
    return `${call.rawBody.length} bytes, aud ${call.appId}`;
  },
  checkAccepted(ctx, s, action) {
    s.expectEqual('bot replied', TEAMS_CONNECTED_REPLY, action?.reply);
    const replies = parseJsonObject(ctx.answer?.body)?.activities;
    const firstReply = Array.isArray(replies) ? getPath(replies[0], 'text') : undefined;
    s.expectEqual('reply returned to Teams (deliveryMode expectReplies)', TEAMS_CONNECTED_REPLY, firstReply);
    const team = ctx.api.control.store.team(ctx.teamId);
    s.check(
      `team.providerBotInfo.msteams.${TEAMS_TENANT_ID} set`,
      getPath(team, `providerBotInfo.msteams.${TEAMS_TENANT_ID}`) !== undefined,
      'bot info',
      'none',
    );
    const identities = ctx.api.control.store.user(ctx.userId)?.providerIdentities ?? [];
    s.check(
      `user has msteams::${TEAMS_TENANT_ID}`,
      identities.includes(`msteams::${TEAMS_TENANT_ID}`),
      'the identity',
      identities,
    );
    s.check(
      'connect code is single use',
      ctx.api.control.store.signup(ctx.connectCode ?? '') === undefined,
      'gone',
      'still stored',
    );
    return `tenant ${TEAMS_TENANT_ID} linked to ${ctx.userId}`;
  },
  isDelivery: (_ctx, m) => {
    const added = operatorOf(m.message.user, '$addToSet');
    return added?.providerIdentities === `msteams::${TEAMS_TENANT_ID}`;
  },
};

export const INTERACT_KITS = { slack, msteams } as const;

function identityOf(ctx: InteractContext, provider: string): string | undefined {
  const prefix = `${provider}::`;
  return ctx.api.control.store
    .user(ctx.userId)
    ?.providerIdentities.find((i) => i.startsWith(prefix))
    ?.slice(prefix.length);
}

function tamperOf(ctx: InteractContext): { tamper?: NonNullable<InteractContext['tamper']> } {
  return defined({ tamper: ctx.tamper });
}

/**
 * The MS Teams side of contract §7: the bot's messaging endpoint (Bot Framework activities on
 * POST /no-auth/provider-action/msteams) and POST /msteams/generate-connect-code, the one-time code a user
 * types into the bot's sign-in card.
 */
import { randomUUID } from 'node:crypto';
import type { Request, Response, Router } from 'express';
import { verifyBotToken } from '../../protocol/slack-teams-signing.js';
import { defined } from '../../util/defined.js';
import { isJsonObject, parseJsonObject } from '../../util/json.js';
import type { ApiContext } from '../context.js';
import { csError } from '../cs-errors.js';
import { publishUser, requireUser } from '../http.js';
import { textOf, type ProviderAction } from './provider-actions.js';
import { pushCapped } from '../../util/ring.js';

/** The connect code lives as a signup token for 10 minutes (contract §7 MS Teams sign-in). */
export const CONNECT_CODE_LIFETIME_MS = 600_000;

/** What the bot answers to a wrong or expired connect code (contract failure mode 37). */
export const SNAG_REPLY =
  'Oops, we hit a snag… that connect code is wrong or has expired. Generate a new one in CodeStream and try again.';
export const CONNECTED_REPLY = 'You are connected: CodeStream will post here for your team.';
const HELP_REPLY = 'Open the sign-in card and enter the connect code CodeStream gave you.';

/** Registers POST /msteams/generate-connect-code (Bearer): a one-time code for the bot's sign-in card. */
export function registerMsTeamsConnectCode(router: Router, ctx: ApiContext): void {
  router.post('/msteams/generate-connect-code', (req, res) => {
    const user = requireUser(ctx, req);
    const connectCode = randomUUID().replaceAll('-', '');
    ctx.signups.insert({ token: connectCode, userId: user.id, teamIds: [...user.teamIds] }, CONNECT_CODE_LIFETIME_MS);
    res.json({ connectCode });
  });
}

/** The fields of a Bot Framework activity the bot reads; a nested object of another shape reads as empty. */
interface Activity {
  id: unknown;
  type: unknown;
  value: unknown;
  serviceUrl: unknown;
  deliveryMode: unknown;
  from: Record<string, unknown>;
  conversation: Record<string, unknown>;
}

/** Authenticates the channel's bearer token, then answers the activity (contract failure mode 36's Teams twin). */
export async function handleTeamsActivity(ctx: ApiContext, req: Request, res: Response, raw: Buffer): Promise<void> {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ')) throw csError('RAPI-1003', 'no Bot Framework bearer token');
  const verdict = await verifyBotToken(auth.slice(7), {
    key: ctx.config.secrets.botFramework,
    botAppIds: ctx.env.integrations.msteams?.botAppIds ?? [],
    now: ctx.now,
  });
  if (!verdict.ok) throw csError('RAPI-1003', verdict.reason);
  const activity = parseActivity(raw);
  // The Bot Framework binds a token to the service URL the bot must reply to.
  if (activity.serviceUrl !== verdict.claims.serviceurl)
    throw csError('RAPI-1003', "activity serviceUrl differs from the token's serviceurl claim");

  const aadObjectId = typeof activity.from.aadObjectId === 'string' ? activity.from.aadObjectId : undefined;
  const action: ProviderAction = {
    provider: 'msteams',
    appId: String(verdict.claims.aud),
    type: textOf(activity.type),
    ...defined({ providerUserId: aadObjectId, callId: typeof activity.id === 'string' ? activity.id : undefined }),
    userId: null,
    actionId: activity.value ?? undefined,
    at: ctx.now(),
  };
  const signInCode = isJsonObject(activity.value) ? activity.value.signInCode : undefined;
  action.reply = typeof signInCode === 'string' ? signIn(ctx, res, activity, signInCode, action) : HELP_REPLY;
  pushCapped(ctx.providerActions.actions, action, ctx.recordCap);
  const reply = { type: 'message', text: action.reply, replyToId: activity.conversation.id ?? null };
  // deliveryMode "expectReplies" returns the bot's replies in the response instead of via the serviceUrl.
  if (activity.deliveryMode === 'expectReplies') return void res.status(200).json({ activities: [reply] });
  res.status(200).end();
}

function parseActivity(raw: Buffer): Activity {
  const activity = parseJsonObject(raw.toString('utf8'));
  if (activity === undefined) throw csError('RAPI-1012', 'activity is not a JSON object');
  const { id, type, value, serviceUrl, deliveryMode, from, conversation } = activity;
  return {
    id,
    type,
    value,
    serviceUrl,
    deliveryMode,
    from: isJsonObject(from) ? from : {},
    conversation: isJsonObject(conversation) ? conversation : {},
  };
}

/** A valid code installs the bot for the code's teams and links the tenant to the user; single use. */
function signIn(ctx: ApiContext, res: Response, activity: Activity, code: string, action: ProviderAction): string {
  const record = ctx.signups.find(code);
  if (!record || record.userId === null || record.expiresAt < ctx.now() || !record.teamIds) return SNAG_REPLY;
  ctx.signups.remove(code);
  const tenantId =
    typeof activity.conversation.tenantId === 'string' ? activity.conversation.tenantId : 'unknown-tenant';
  const botInfo = {
    tenantId,
    botAppId: action.appId,
    serviceUrl: activity.serviceUrl,
    conversationId: activity.conversation.id,
    at: ctx.now(),
  };
  for (const teamId of record.teamIds) {
    const team = ctx.store.teams.get(teamId);
    if (!team) continue;
    team.providerBotInfo = {
      ...team.providerBotInfo,
      msteams: { ...team.providerBotInfo?.msteams, [tenantId]: botInfo },
    };
    const requestId = String(res.getHeader('x-request-id') ?? '');
    ctx.broadcaster.publish(`team-${teamId}`, {
      team: { _id: teamId, id: teamId, $set: { [`providerBotInfo.msteams.${tenantId}`]: botInfo } },
      requestId,
    });
  }
  const directive = ctx.store.updateUser(record.userId, { $addToSet: { providerIdentities: `msteams::${tenantId}` } });
  publishUser(ctx, res, directive);
  action.userId = record.userId;
  return CONNECTED_REPLY;
}

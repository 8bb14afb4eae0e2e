/**
 * POST /no-auth/provider-action/:provider (contract §1.1, §7): calls the provider starts, which reach a
 * VPN-only environment through the VPN proxy. Slack interactive components are verified here; MS Teams
 * Bot Framework activities in msteams-bot.ts. Every call is journaled with its raw bytes, accepted or not.
 */
import type { Request, Response, Router } from 'express';
import { safeEqual, SLACK_MAX_SKEW_S, slackSignature } from '../../protocol/slack-teams-signing.js';
import { defined } from '../../util/defined.js';
import { isJsonObject, parseJson, parseJsonObject } from '../../util/json.js';
import type { ApiContext } from '../context.js';
import { CsError, csError } from '../cs-errors.js';
import { handleTeamsActivity } from '../actions/msteams-bot.js';
import { textOf, type ReceivedProviderCall } from '../actions/provider-actions.js';
import { readRawBody } from '../raw-body.js';
import { headersOf } from '../../util/http-request.js';
import { pushCapped } from '../../util/ring.js';

type ActionHandler = (ctx: ApiContext, req: Request, res: Response, raw: Buffer) => Promise<void>;

const HANDLERS: Readonly<Record<string, ActionHandler>> = { slack: handleSlackAction, msteams: handleTeamsActivity };

/** Registers POST /no-auth/provider-action/:provider (slack, msteams) on an environment. */
export function registerProviderAction(router: Router, ctx: ApiContext): void {
  router.post('/no-auth/provider-action/:provider', async (req, res) => {
    const provider = String(req.params.provider).toLowerCase();
    const call: ReceivedProviderCall = { provider, rawBody: Buffer.alloc(0), headers: headersOf(req), at: ctx.now() };
    pushCapped(ctx.providerActions.received, call, ctx.recordCap);
    res.on('finish', () => (call.status = res.statusCode));
    try {
      call.rawBody = await readRawBody(req);
      const handler = Object.hasOwn(HANDLERS, provider) ? HANDLERS[provider] : undefined;
      if (!handler) throw csError('PRVD-1000');
      await handler(ctx, req, res, call.rawBody);
    } catch (err) {
      if (err instanceof CsError) {
        call.code = err.code;
        if (typeof err.info === 'string') call.reason = err.info;
      }
      throw err; // the app's one error writer answers 403 {code, message, info}
    }
  });
}

/** Slack's interactive-components payload: form body `payload=<json>` (contract §7). */
export function slackPayloadOf(raw: Buffer): Record<string, unknown> | undefined {
  return parseJsonObject(new URLSearchParams(raw.toString('utf8')).get('payload'));
}

/**
 * Verification in the real server's order: the app id picks the signing secret, then the 300 s window,
 * then the signature over the raw body. Every failure is 403 RAPI-1003 (contract failure mode 36).
 */
async function handleSlackAction(ctx: ApiContext, req: Request, res: Response, raw: Buffer): Promise<void> {
  const payload = slackPayloadOf(raw);
  if (!payload) throw csError('RAPI-1003', 'body has no JSON "payload" field');
  const appId = typeof payload.api_app_id === 'string' ? payload.api_app_id : '';
  const secret = Object.hasOwn(ctx.env.integrations.slack?.signingSecretsByAppIds ?? {}, appId)
    ? ctx.env.integrations.slack?.signingSecretsByAppIds[appId]
    : undefined;
  if (secret === undefined) throw csError('RAPI-1003', `no signing secret for api_app_id "${appId}"`);
  const timestamp = headerOf(req, 'x-slack-request-timestamp');
  if (!/^\d{1,12}$/.test(timestamp))
    throw csError('RAPI-1003', '"x-slack-request-timestamp" is missing or not a number');
  const offset = Number(timestamp) - ctx.now() / 1000;
  const skew = Math.abs(offset);
  if (skew > SLACK_MAX_SKEW_S) {
    const when = offset < 0 ? `${Math.round(skew)} s in the past` : `${Math.round(skew)} s in the future`;
    throw csError('RAPI-1003', `request timestamp is ${when}, more than ${SLACK_MAX_SKEW_S} s from now`);
  }
  const signature = headerOf(req, 'x-slack-signature');
  if (signature === '') throw csError('RAPI-1003', '"x-slack-signature" is missing');
  if (!safeEqual(signature, slackSignature(secret, timestamp, raw)))
    throw csError('RAPI-1003', 'signature does not match the body');

  const slackUser = isJsonObject(payload.user) ? payload.user : {};
  const providerUserId = typeof slackUser.id === 'string' ? slackUser.id : undefined;
  const user = providerUserId === undefined ? undefined : userWithIdentity(ctx, `slack::${providerUserId}`);
  const action = {
    provider: 'slack',
    appId,
    type: textOf(payload.type),
    ...defined({ providerUserId, callId: typeof payload.trigger_id === 'string' ? payload.trigger_id : undefined }),
    userId: user?.id ?? null,
    actionId: slackActionId(payload),
    at: ctx.now(),
  };
  pushCapped(ctx.providerActions.actions, action, ctx.recordCap);
  // note: the mock publishes the action itself on the me-channel; the real server acts on it (posts a reply…).
  if (user)
    ctx.broadcaster.publish(`user-${user.id}`, {
      providerAction: action,
      requestId: String(res.getHeader('x-request-id') ?? ''),
    });
  res.status(200).end(); // Slack wants an empty 200 within 3 s
}

/** The action id: JSON in actions[0].action_id or view.private_metadata (contract §7); kept raw if not JSON. */
function slackActionId(payload: Record<string, unknown>): unknown {
  const first: unknown = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
  const actionId = isJsonObject(first) ? first.action_id : undefined;
  const text = actionId ?? (isJsonObject(payload.view) ? payload.view.private_metadata : undefined);
  if (typeof text !== 'string') return undefined;
  const parsed = parseJson(text);
  return parsed === undefined ? text : parsed;
}

/** The user whose providerIdentities hold `identity` ("slack::U…", "msteams::<tenant>"). */
export function userWithIdentity(ctx: ApiContext, identity: string): { id: string } | undefined {
  for (const user of ctx.store.users.values())
    if (!user.deactivated && user.providerIdentities.includes(identity)) return user;
  return undefined;
}

function headerOf(req: Request, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

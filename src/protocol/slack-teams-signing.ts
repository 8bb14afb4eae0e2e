/**
 * How providers sign the server-to-server calls they start (contract §7 "VPN-only interactive endpoints"):
 * Slack's v0 HMAC over the raw body, and the Bot Framework's bearer JWT. Shared by the mock Slack/Teams
 * that sign and the mock API that verifies, so both sides agree on one definition.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose/jwt/sign';
import * as errors from 'jose/errors';
import { jwtVerify } from 'jose/jwt/verify';

/** Slack's replay window: a request timestamp more than 300 s off is refused. */
export const SLACK_MAX_SKEW_S = 300;

/** `v0=` + hex HMAC-SHA256(signingSecret, `v0:<timestamp>:<raw body>`). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/** Constant-time string comparison; different lengths are simply unequal. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The issuer of Bot Framework channel tokens. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** The Bot Framework tolerates 5 minutes of clock skew on its tokens. */
export const BOT_FRAMEWORK_SKEW_S = 300;
const BOT_TOKEN_LIFETIME_S = 3600;

// warning: mock shortcut. The real channel signs RS256 with keys published in its OpenID metadata; the lab
// signs HS256 with one shared key (lab.json secrets.botFramework), so no key download is needed.
const keyOf = (key: string) => new TextEncoder().encode(key);

/** The channel's bearer token for one call to a bot: aud is the bot's app id, serviceurl the reply host. */
export function signBotToken(input: {
  key: string;
  botAppId: string;
  serviceUrl: string;
  now: () => number;
  issuedAgoS?: number;
}): Promise<string> {
  const iat = Math.floor(input.now() / 1000) - (input.issuedAgoS ?? 0);
  return new SignJWT({ serviceurl: input.serviceUrl })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(BOT_FRAMEWORK_ISSUER)
    .setAudience(input.botAppId)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + BOT_TOKEN_LIFETIME_S)
    .sign(keyOf(input.key));
}

/** Why a Bot Framework token is refused, or its claims when it is accepted. */
export type BotTokenVerdict = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

/** Verifies signature, issuer, audience (one of `botAppIds`) and expiry with the Bot Framework's skew. */
export async function verifyBotToken(
  token: string,
  opts: { key: string; botAppIds: readonly string[]; now: () => number },
): Promise<BotTokenVerdict> {
  if (opts.botAppIds.length === 0) return { ok: false, reason: 'this environment has no MS Teams bot configured' };
  try {
    const { payload } = await jwtVerify(token, keyOf(opts.key), {
      algorithms: ['HS256'],
      issuer: BOT_FRAMEWORK_ISSUER,
      audience: [...opts.botAppIds],
      currentDate: new Date(opts.now()),
      clockTolerance: BOT_FRAMEWORK_SKEW_S,
    });
    return { ok: true, claims: payload };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'the channel token has expired' };
    if (err instanceof errors.JWTClaimValidationFailed)
      return { ok: false, reason: `the channel token's "${err.claim}" claim is not accepted` };
    return { ok: false, reason: 'the channel token has a bad signature or is malformed' };
  }
}

/**
 * Turns a scenario's expectation into the steps that check it on a connect: the agent's recovery of
 * the directive, or the browser's path to /web/error (or to a refusal page) and nothing delivered.
 */
import { receiveDirective } from '../../../agent-sim/broadcast-recovery.js';
import { getPath } from '../../../util/dotted.js';
import { storageKeyOf, type ConnectContext } from '../../connect/steps.js';
import { operatorOf } from '../../engine/directive.js';
import { need, type Step, type StepContext } from '../../engine/runner.js';
import { followToWebError, followUntil } from '../follow.js';
import type { ScenarioRuntime, StepHook } from '../runtime.js';
import type { BySignupSupport, Expectation } from '../types.js';

type Ctx = ConnectContext;
type Expect<K extends Expectation['outcome']> = Extract<Expectation, { outcome: K }>;

/** The value for this provider: sign-up support changes some codes (contract §1.5 step 5). */
export function bySignup<T>(value: T | BySignupSupport<T>, supportsSignup: boolean): T {
  if (typeof value === 'object' && value !== null && 'supportsSignup' in value && 'otherwise' in value) {
    return supportsSignup ? value.supportsSignup : value.otherwise;
  }
  return value;
}

const DELIVERY_TITLES: Record<Expect<'connected'>['delivery'], string> = {
  live: 'live broadcast',
  history: 'from channel history',
  'users-me': 'GET /users/me',
  none: 'never: stored, but the agent does not hear of it',
};

/** The step that replaces "broadcast": the directive must arrive by the expected path. */
export function deliveryStep(expect: Expect<'connected'>, rt: ScenarioRuntime): Step<Ctx> {
  return {
    id: 'broadcast',
    title: `Agent gets the token (${DELIVERY_TITLES[expect.delivery]})`,
    async run(ctx, s) {
      const key = `${storageKeyOf(ctx)}.accessToken`;
      const delivery = await receiveDirective(
        {
          client: ctx.broadcasts,
          api: ctx.client,
          subscription: { apiUrl: ctx.api.url, token: ctx.broadcasterToken, channels: [`user-${ctx.userId}`] },
          now: ctx.now,
          sessionStartedAt: rt.startedAt,
          droppedAt: rt.agentOfflineSince,
          onEvent: ctx.onEvent,
        },
        ctx.me ?? {},
        (m) => setKeys(m.message).includes(key),
      );
      ctx.me = delivery.me;
      s.expectEqual('delivery path', expect.delivery, delivery.path);
      s.expectEqual('agent re-fetched /users/me', expect.refetch ?? expect.delivery === 'users-me', delivery.refetched);
      if (expect.duplicatesDropped !== undefined)
        s.expectEqual(
          'copies of the messageId dropped, not applied',
          expect.duplicatesDropped,
          delivery.duplicatesDropped,
        );
      if (expect.parts !== undefined) partsChecks(ctx, s, delivery.message?.parts, expect.parts);
      const delivered = getPath(ctx.me, key);
      ctx.deliveredToken = typeof delivered === 'string' ? delivered : undefined;
      if (expect.delivery === 'none') {
        s.expectEqual('the agent holds no token', undefined, ctx.deliveredToken, 'none');
        const stored = getPath(ctx.api.control.store.user(ctx.userId), key);
        s.expectEqual('the API stored the issued token all the same', ctx.issuedToken, stored);
        return 'not delivered: the agent learns of it only at its next GET /users/me';
      }
      s.expectEqual('delivered token equals the issued token', ctx.issuedToken, ctx.deliveredToken);
      const storedVersion = ctx.api.control.store.user(ctx.userId)?.version;
      s.expectEqual("agent's me-object is at the stored version", storedVersion, ctx.me.version);
      const parts = delivery.message?.parts === undefined ? '' : `, reassembled from ${delivery.message.parts} parts`;
      const refetched = delivery.refetched ? ', re-fetched /users/me' : '';
      const dropped = delivery.duplicatesDropped ? `, ${delivery.duplicatesDropped} duplicate dropped` : '';
      return `${delivery.path}${refetched}${dropped}${parts}`;
    },
  };
}

// A directive over 10000 bytes went out in parts and the agent put them back together (contract §4.2, FM 32).
function partsChecks(ctx: Ctx, s: StepContext, got: number | undefined, parts: number): void {
  const sent = ctx.api.control.broadcasts.history.filter(
    (m) => m.channel === `user-${ctx.userId}` && typeof m.message.fullMessageId === 'string',
  );
  s.expectEqual('parts the broadcaster published', parts, sent.length);
  s.check(
    'every part is at most 10000 bytes of the JSON text',
    sent.every((m) => Buffer.byteLength(String(m.message.message)) <= 10_000),
    '≤ 10000 bytes',
    sent.map((m) => Buffer.byteLength(String(m.message.message))).join(', '),
  );
  s.expectEqual('directive reassembled from parts', parts, got);
  s.expectEqual('incomplete messages left at the agent', 0, ctx.broadcasts.incomplete().length);
}

/** Checks that the callback waited for a slow provider (the delay fault did apply). */
export function callbackTimingHook(minMs: number): StepHook<Ctx> {
  return {
    step: 'callback',
    when: 'after',
    run(ctx, s) {
      const ms = ctx.successHop?.ms ?? 0;
      s.check(`callback waited ≥ ${minMs} ms for the provider`, ms >= minMs, `≥ ${minMs} ms`, `${ms} ms`, `${ms} ms`);
    },
  };
}

/** The browser's path from the diverging hop to /web/error, the page, and nothing delivered. */
export function webErrorSteps(expect: Expect<'web-error'>, rt: ScenarioRuntime): Step<Ctx>[] {
  let errorUrl: URL | undefined;
  const codeOf = (ctx: Ctx) => bySignup(expect.code, ctx.profile.supportsSignup);
  const codes =
    typeof expect.code === 'string' ? expect.code : `${expect.code.supportsSignup} / ${expect.code.otherwise}`;
  const diverge: Step<Ctx> = {
    id: expect.from,
    title: `Browser ends on /web/error with code ${codes}`,
    async run(ctx, s) {
      errorUrl = await followToWebError(
        ctx,
        s,
        rt,
        {
          code: codeOf(ctx),
          state: expect.state,
          ...(expect.providerError
            ? { providerError: bySignup(expect.providerError, ctx.profile.supportsSignup) }
            : {}),
        },
        () => startUrl(ctx),
      );
      return `${errorUrl.pathname}${errorUrl.search}`;
    },
  };
  const page: Step<Ctx> = {
    id: 'error-page',
    title: 'Browser shows the error page with the code',
    async run(ctx, s) {
      const hop = await ctx.browser.get(need(errorUrl, '/web/error URL', s).href);
      s.expectEqual('error page answers 200', 200, hop.status);
      const text = hop.body
        .replace(/<style[\s\S]*?<\/style>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ');
      s.check('page names the code', text.includes(codeOf(ctx)), codeOf(ctx), text.slice(0, 160));
      return codeOf(ctx);
    },
  };
  return [diverge, page, expect.revoked ? revokedStep() : nothingDeliveredStep(rt)];
}

/** The agent's pauth request is refused with a JSON error; the browser never starts. */
export function apiErrorSteps(expect: Expect<'api-error'>, rt: ScenarioRuntime): Step<Ctx>[] {
  const refused: Step<Ctx> = {
    id: expect.from,
    title: `The API answers the agent ${expect.status} ${expect.code}`,
    async run(ctx, s) {
      const answer = await ctx.client.request(
        'GET',
        `/provider-auth-code?teamId=${encodeURIComponent(ctx.teamId)}`,
        undefined,
        ctx.signal,
      );
      s.expectEqual('status', expect.status, answer.status);
      s.expectEqual('code', expect.code, answer.body.code);
      if (expect.info !== undefined) s.expectEqual('info', expect.info, answer.body.info);
      if (expect.reason !== undefined) s.expectEqual('reason', expect.reason, answer.body.reason);
      s.expectEqual('no browser hop was made', 0, ctx.browser.hops.length, 'none');
      return `${answer.status} ${String(answer.body.code)}`;
    },
  };
  return [refused, nothingDeliveredStep(rt)];
}

/** A box answers with an error page instead of redirecting (open-redirect defence, unknown route). */
export function refusedSteps(expect: Expect<'refused'>, rt: ScenarioRuntime): Step<Ctx>[] {
  const refuse: Step<Ctx> = {
    id: expect.from,
    title: `The ${expect.by} refuses with ${expect.status} and does not redirect`,
    async run(ctx, s) {
      const end = await followUntil(
        ctx,
        s,
        (hop) => hop.status < 300 || hop.status >= 400,
        () => startUrl(ctx),
      );
      s.expectEqual('answered by', expect.by, end.to);
      s.expectEqual('status', expect.status, end.status);
      s.check('no Location header', end.location === undefined, 'none', end.location ?? 'none');
      s.check(
        `page says "${expect.says}"`,
        end.body.includes(expect.says),
        expect.says,
        end.body
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 160),
      );
      return `${end.status} from the ${end.to}`;
    },
  };
  return [refuse, nothingDeliveredStep(rt)];
}

export function nothingDeliveredStep(rt: ScenarioRuntime): Step<Ctx> {
  return {
    id: 'nothing-delivered',
    title: 'No token is stored, broadcast or delivered',
    async run(ctx, s) {
      const user = ctx.api.control.store.user(ctx.userId);
      for (const provider of [rt.provider, ...(rt.other === undefined ? [] : [rt.other])]) {
        // Every place a connect may write (contract §4.1): team-less, under the team, per host or workspace.
        for (const base of [`providerInfo.${ctx.teamId}.${provider}`, `providerInfo.${provider}`]) {
          s.expectEqual(`nothing stored under ${base}`, undefined, getPath(user, base), 'nothing');
          const published = ctx.api.control.broadcasts
            .messagesOn(`user-${ctx.userId}`)
            .filter((m) => setKeys(m.message).some((k) => k.startsWith(`${base}.`)));
          s.expectEqual(`no directive under ${base} published`, 0, published.length, 'none');
        }
      }
      // A refused re-subscribe (a deactivated user) also means nothing more can arrive.
      if (ctx.broadcasts.connected)
        await ctx.broadcasts
          .sync()
          .catch((err: unknown) =>
            s.note(`the broadcaster refused the agent: ${err instanceof Error ? err.message : String(err)}`),
          );
      const heard = ctx.broadcasts.received.filter((m) => setKeys(m.message).some((k) => k.endsWith('.accessToken')));
      s.expectEqual('agent received no token directive', 0, heard.length, 'none');
      return 'nothing stored or sent';
    },
  };
}

function revokedStep(): Step<Ctx> {
  return {
    id: 'revoked',
    title: 'The provider revoked the tokens issued from the replayed code',
    async run(ctx, s) {
      s.check('a token was issued by the first callback', ctx.issuedToken !== undefined, 'a token', 'none');
      const active = ctx.provider.control.grants.isActive(ctx.issuedToken ?? '');
      s.expectEqual('token issued from the replayed code is revoked (RFC 6749 §4.1.2)', false, active, 'revoked');
      const stored = getPath(ctx.api.control.store.user(ctx.userId), `${storageKeyOf(ctx)}.accessToken`);
      s.note(
        stored === ctx.issuedToken
          ? 'CodeStream still stores the revoked token: nothing tells it the provider revoked it'
          : 'the stored token changed',
      );
      return 'revoked at the provider';
    },
  };
}

function startUrl(ctx: Ctx): string {
  const path = ctx.entry === 'web' ? '/web/provider-auth' : '/no-auth/provider-auth';
  return `${ctx.api.url}${path}/${ctx.profile.id}?code=${encodeURIComponent(ctx.pauth ?? '')}`;
}

function setKeys(message: Record<string, unknown>): string[] {
  return Object.keys(operatorOf(message.user, '$set') ?? {});
}

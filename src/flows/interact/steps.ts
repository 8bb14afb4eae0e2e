/**
 * "interact": a provider-initiated call to a VPN-only environment (seed, last paragraphs; contract §7),
 * walked provider → VPN proxy → environment with checks at every hop. With a tamper the expected outcome
 * is the refusal, and the run passes when exactly that refusal happened.
 */
import { reportMessage } from '../../agent-sim/broadcast-recovery.js';
import { createHash } from 'node:crypto';
import { timedFetch } from '../../agent-sim/http-log.js';
import type { EventSink } from '../../events.js';
import type { EnvironmentConfig } from '../../lab/config.js';
import type { RunningApi } from '../../mock-api/index.js';
import type { ProviderAction, ReceivedProviderCall } from '../../mock-api/actions/provider-actions.js';
import type { ProxyHit } from '../../mock-edge/vpn-proxy.js';
import type { InteractiveProvider, ProviderCall, Tamper } from '../../agent-sim/provider-calls.js';
import type { ApiClient, BroadcastClient, SecretSink } from '../engine/context.js';
import { INTERACT_KITS } from './kits.js';
import { isolationStep, type IsolationContext } from '../engine/isolation.js';
import { need, type Step } from '../engine/runner.js';
import { parseJsonObject } from '../../util/json.js';

export interface InteractContext extends IsolationContext {
  provider: InteractiveProvider;
  tamper?: Tamper;
  api: RunningApi;
  env: EnvironmentConfig;
  now: () => number;
  fetch: typeof fetch;
  secrets: SecretSink;
  onEvent: EventSink;
  client: ApiClient;
  broadcasts: BroadcastClient;
  userId: string;
  broadcasterToken: string;
  teamId: string;
  signal?: AbortSignal;
  // Learned along the way.
  appId?: string | undefined;
  connectCode?: string | undefined;
  call?: ProviderCall;
  /** The call's own id (ProviderCall.callId): how this run tells its call from others' in every journal. */
  callId?: string | undefined;
  answer?: { status: number; body: string; proxyRefused: boolean };
  proxyHit?: ProxyHit | undefined;
  received?: ReceivedProviderCall | undefined;
}

/** Where the run expects the call to end: accepted, refused by the environment, or refused at the proxy. */
export function expectedOutcome(
  tamper: Tamper | undefined,
): 'accepted' | 'refused by the environment' | 'refused by the VPN proxy' {
  if (tamper === undefined) return 'accepted';
  return tamper === 'app' ? 'refused by the VPN proxy' : 'refused by the environment';
}

const step = (id: string, title: string, run: Step<InteractContext>['run']): Step<InteractContext> => ({
  id,
  title,
  run,
});
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

/** The steps for one provider. */
export function interactSteps(provider: InteractiveProvider): Step<InteractContext>[] {
  const kit = INTERACT_KITS[provider];
  const steps: Step<InteractContext>[] = [
    step('apps', `VPN proxy knows the environment's ${kit.displayName} app`, async (ctx, s) => {
      ctx.appId = kit.appIdsOf(ctx.env)[0];
      s.check(`"${ctx.envName}" has a ${kit.displayName} app configured`, ctx.appId !== undefined, 'an app id', 'none');
      for (const secret of Object.values(ctx.env.integrations.slack?.signingSecretsByAppIds ?? {}))
        ctx.secrets.add(secret);
      ctx.secrets.add(ctx.lab.config.secrets.botFramework);
      const route = ctx.lab.vpnProxy.table.get(provider)?.get(ctx.appId ?? '');
      s.expectEqual(`proxy table routes app ${ctx.appId ?? ''} to environment`, ctx.envName, route?.env);
      const same = ctx.lab.vpnProxy.url === ctx.lab.router.url;
      s.expectEqual('proxy host', ctx.lab.vpnProxy.host, same ? 'same' : 'separate');
      const where = same
        ? " (the auth-origin router's host, as the seed says it is today)"
        : ' (its own origin, as the seed says it should be)';
      return `app ${ctx.appId ?? ''} → ${ctx.envName}; proxy at ${ctx.lab.vpnProxy.url}${where}`;
    }),
    step('subscribe', 'Agent subscribes to its me-channel', async (ctx, s) => {
      await ctx.broadcasts.subscribe({
        apiUrl: ctx.api.url,
        token: ctx.broadcasterToken,
        channels: [`user-${ctx.userId}`],
      });
      s.check('subscribed', true, 'subscribed', 'subscribed', `user-${ctx.userId}`);
      return `user-${ctx.userId}`;
    }),
  ];
  if (kit.needsConnectCode) steps.push(connectCodeStep);
  steps.push(
    step('sign', kit.signTitle, async (ctx, s) => {
      ctx.call = await kit.build(ctx);
      ctx.callId = ctx.call.callId;
      if (ctx.tamper !== undefined)
        s.note(`tampered: ${ctx.tamper} — expected outcome: ${expectedOutcome(ctx.tamper)}`);
      return kit.checkSigned(ctx, s, ctx.call);
    }),
    step('send', `${kit.displayName} → VPN proxy (POST /no-auth/provider-action/${provider})`, async (ctx, s) => {
      const call = need(ctx.call, 'signed call', s);
      const url = `${ctx.lab.vpnProxy.url}${call.path}`;
      s.note(call.summary);
      const { response } = await timedFetch(
        ctx.fetch,
        url,
        { method: 'POST', headers: call.headers, body: new Uint8Array(call.rawBody) },
        { from: 'provider', to: 'proxy', now: ctx.now, onEvent: ctx.onEvent },
      );
      ctx.answer = {
        status: response.status,
        body: await response.text(),
        proxyRefused: response.headers.get('x-vpn-proxy') === 'refused',
      };
      // By the bytes this flow sent: other calls may be in flight through the same proxy.
      ctx.proxyHit = ctx.lab.vpnProxy.hits.find((h) => h.rawBody.equals(call.rawBody));
      const body = parseJsonObject(ctx.answer.body);
      if (ctx.tamper === undefined) {
        s.expectEqual('answer status', 200, ctx.answer.status);
        return `200 from ${ctx.envName} through the proxy`;
      }
      s.expectEqual('answer status (refusal expected)', 403, ctx.answer.status);
      s.expectEqual('error code', 'RAPI-1003', body?.code);
      const expected = ctx.tamper === 'app' ? 'the VPN proxy' : 'the environment';
      const actual = ctx.answer.proxyRefused ? 'the VPN proxy' : 'the environment';
      s.expectEqual('refused by', expected, actual);
      return `403 RAPI-1003 — ${reasonOf(body)}`;
    }),
    step('proxy', 'VPN proxy routes the call by its app id, bytes unchanged', async (ctx, s) => {
      const call = need(ctx.call, 'signed call', s);
      const hit = ctx.proxyHit;
      s.expectEqual('proxy read the app id', call.appId, hit?.appId);
      s.check(
        'proxy received the bytes sent',
        hit?.rawBody.equals(call.rawBody) === true,
        sha(call.rawBody),
        hit ? sha(hit.rawBody) : 'nothing',
      );
      if (ctx.tamper === 'app') {
        s.check(
          'proxy forwarded nothing',
          hit !== undefined && hit.env === undefined,
          'no environment',
          hit?.env ?? 'no hit',
        );
        // By the call's bytes: other calls may reach the environments meanwhile.
        const reached = [...ctx.lab.envs]
          .filter(([, api]) => api.control.providerActions.received.some((r) => r.rawBody.equals(call.rawBody)))
          .map(([name]) => name);
        s.check('no environment received the call', reached.length === 0, 'none', reached);
        return `refused: ${hit?.reason ?? ''}`;
      }
      s.expectEqual('proxy forwarded to', ctx.envName, hit?.env);
      ctx.received = ctx.api.control.providerActions.received.find((r) => r.rawBody.equals(call.rawBody));
      const received = ctx.received;
      ctx.onEvent({
        type: 'http',
        from: 'proxy',
        to: 'api',
        method: 'POST',
        url: hit?.forwardedTo ?? '',
        status: received?.status ?? 0,
        ms: 0,
        startedAt: hit?.at ?? ctx.now(),
      });
      s.check(
        'raw body byte-identical at the environment',
        received?.rawBody.equals(call.rawBody) === true,
        `${call.rawBody.length} bytes sha256 ${sha(call.rawBody)}`,
        received ? `${received.rawBody.length} bytes sha256 ${sha(received.rawBody)}` : 'nothing',
      );
      for (const name of kit.signedHeaders)
        s.expectEqual(`header ${name} unchanged`, call.headers[name], received?.headers[name]);
      return `${call.rawBody.length} bytes to ${hit?.forwardedTo ?? ''}, sha256 ${sha(call.rawBody)}…`;
    }),
    step('verify', kit.verifyTitle, async (ctx, s) => {
      const actions = ownActions(ctx, ctx.api.control.providerActions.actions);
      if (ctx.tamper === 'app') {
        const recorded = [...ctx.lab.envs]
          .filter(([, api]) => ownActions(ctx, api.control.providerActions.actions).length > 0)
          .map(([name]) => name);
        s.check('no environment recorded an action', recorded.length === 0, 'none', recorded);
        return 'no environment was asked';
      }
      if (ctx.tamper !== undefined) {
        s.expectEqual('environment refused with', 'RAPI-1003', ctx.received?.code);
        s.expectEqual('no action recorded', 0, actions.length);
        return `RAPI-1003: ${ctx.received?.reason ?? ''}`;
      }
      s.expectEqual('environment accepted', 200, ctx.received?.status);
      return kit.checkAccepted(ctx, s, actions[0]);
    }),
    step('broadcast', 'Agent hears about it on its me-channel', async (ctx, s) => {
      if (ctx.tamper !== undefined) {
        const published = ctx.api.control.broadcasts.messagesOn(`user-${ctx.userId}`);
        s.expectEqual('nothing published for the user', 0, published.length);
        return 'nothing published (as expected)';
      }
      const got = await ctx.broadcasts.delivered((m) => kit.isDelivery(ctx, m), 'message about the provider action');
      reportMessage(got, s.emit);
      s.expectEqual('channel', `user-${ctx.userId}`, got.channel);
      s.check('messageId present', typeof got.message.messageId === 'string', 'a message id', got.message.messageId);
      return `on ${got.channel}`;
    }),
    isolationStep<InteractContext>({ via: 'proxy', expectDelivered: (ctx) => ctx.tamper !== 'app' }),
  );
  return steps;
}

/** The actions an environment recorded for this run's call, found by the id the call carried. */
export function ownActions(ctx: Pick<InteractContext, 'callId'>, actions: readonly ProviderAction[]): ProviderAction[] {
  return ctx.callId === undefined ? [] : actions.filter((a) => a.callId === ctx.callId);
}

// The refusal's reason as a person reads it: the error's info, else its message.
function reasonOf(body: Record<string, unknown> | undefined): string {
  const reason = body?.info ?? body?.message ?? '';
  return typeof reason === 'string' ? reason : JSON.stringify(reason);
}

const connectCodeStep = step(
  'connect-code',
  'Agent gets an MS Teams connect code (POST /msteams/generate-connect-code)',
  async (ctx, s) => {
    const answer = await ctx.client.request('POST', '/msteams/generate-connect-code', {});
    s.expectEqual('answer status', 200, answer.status);
    ctx.connectCode = typeof answer.body.connectCode === 'string' ? answer.body.connectCode : undefined;
    ctx.secrets.add(ctx.connectCode);
    s.check(
      'connect code is a hyphen-less UUID',
      /^[0-9a-f]{32}$/.test(ctx.connectCode ?? ''),
      '32 hex digits',
      ctx.connectCode ?? null,
    );
    return 'valid for 10 minutes, single use';
  },
);

/**
 * "Disconnect X" (contract §1.8 second bullet, §6.6): a connect, then the agent's PUT /provider-deauth/<p>
 * {teamId, host?, subId?}, the keys the API unsets (team-less and team, narrowed to the host and workspace),
 * the identity it pulls, the directive on the me-channel, and an agent cache that no longer holds a token.
 * The steps run inside the connect's lab, before its isolation check, as refresh's do.
 */
import { reportMessage } from '../../agent-sim/broadcast-recovery.js';
import { applyDirective, providerTokenOf } from '../../agent-sim/me-cache.js';
import { defined } from '../../util/defined.js';
import { getPath } from '../../util/dotted.js';
import type { Lab } from '../../lab/start-lab.js';
import { starHost } from '../../state.js';
import { storageKeyOf, type ConnectContext } from '../connect/steps.js';
import { connectStepsBeforeIsolation, labOptionsFor, runAgentFlow, withLab } from '../engine/lab-run.js';
import { createConnectContext, type ConnectOptions, type ConnectRun, type FlowDeps } from '../connect/run.js';
import { providerIdentity } from '../connect/expect.js';
import { operatorOf, userDirective, versionOf } from '../engine/directive.js';
import type { Step } from '../engine/runner.js';

export interface DisconnectOptions extends ConnectOptions {
  /** Send no host with the deauth even for an enterprise host (failure mode 39: only .accessToken keys go). */
  withoutHost?: boolean;
}

export interface DisconnectContext extends ConnectContext {
  withoutHost: boolean;
  /** What the deauth answered: the directive, also expected on the me-channel. */
  deauthDirective?: Record<string, unknown>;
  /** The providerIdentities entry the deauth must pull (a multiple entry's user). */
  pulledIdentity?: string | undefined;
}

const step = (id: string, title: string, run: Step<DisconnectContext>['run']): Step<DisconnectContext> => ({
  id,
  title,
  run,
});

export const disconnectSteps: readonly Step<DisconnectContext>[] = [
  step('deauth-call', 'Agent disconnects the provider (PUT /provider-deauth)', async (ctx, s) => {
    const key = storageKeyOf(ctx);
    const sub = subIdOf(key);
    const host = ctx.withoutHost ? undefined : ctx.host;
    const field = ctx.profile.storage.identityField;
    const userId =
      sub === undefined || field === undefined ? undefined : getPath(storedUser(ctx), `${key}.data.${field}`);
    ctx.pulledIdentity = userId === undefined ? undefined : providerIdentity(ctx.profile.id, userId);
    const body = { teamId: ctx.teamId, ...defined({ host, subId: sub }) };
    s.note(`body ${JSON.stringify(body)}`);
    const answer = await ctx.client.request('PUT', `/provider-deauth/${ctx.profile.id}`, body, ctx.signal);
    s.expectEqual('provider-deauth answers 200', 200, answer.status, JSON.stringify(answer.body).slice(0, 80));
    const directive = userDirective(answer.body);
    ctx.deauthDirective = directive;
    s.expectEqual('answer user.id', ctx.userId, directive.id);
    const expected = expectedUnset(ctx, host, sub);
    s.expectEqual('$unset keys', expected.join(', '), Object.keys(operatorOf(directive, '$unset') ?? {}).join(', '));
    if (ctx.pulledIdentity !== undefined) {
      s.expectEqual('$pull providerIdentities', ctx.pulledIdentity, operatorOf(directive, '$pull')?.providerIdentities);
      s.check(
        `"${ctx.pulledIdentity}" is gone from providerIdentities`,
        !storedUser(ctx)?.providerIdentities.includes(ctx.pulledIdentity),
        'gone',
        storedUser(ctx)?.providerIdentities,
      );
    }
    const left = getPath(storedUser(ctx), `${key}.accessToken`);
    if (ctx.withoutHost && ctx.host !== undefined) {
      // Contract §1.8: with hosts stored and no host named, only providerInfo…<provider>.accessToken goes.
      s.expectEqual(
        `the token under hosts.${starHost(ctx.host.toLowerCase())} stays (failure mode 39)`,
        ctx.storedToken,
        left,
      );
      return `only the .accessToken keys unset; the host entry keeps its token`;
    }
    s.expectEqual(`no token stored under ${key}`, undefined, left, 'none');
    return `unset ${expected.join(', ')}`;
  }),

  step('deauth-broadcast', 'Agent hears of the disconnect on its me-channel', async (ctx, s) => {
    const sent = ctx.deauthDirective ?? {};
    const version = versionOf(sent).after;
    const got = await ctx.broadcasts.delivered(
      (m) => versionOf(m.message.user).after === version,
      `directive of version ${String(version)}`,
    );
    reportMessage(got, s.emit);
    const user = userDirective(got.message);
    s.expectEqual('channel', `user-${ctx.userId}`, got.channel);
    s.expectEqual("broadcast $unset equals the answer's", JSON.stringify(sent.$unset), JSON.stringify(user.$unset));
    s.expectEqual('agent applies the directive to its cache', 'applied', applyDirective(ctx.me ?? {}, user));
    const key = storageKeyOf(ctx);
    const cached = getPath(ctx.me, `${key}.accessToken`);
    if (ctx.withoutHost && ctx.host !== undefined) {
      s.expectEqual("the agent's cache keeps the host entry's token (failure mode 39)", ctx.deliveredToken, cached);
      return 'the agent still counts the provider as connected';
    }
    s.expectEqual(`the agent's cache has no token under ${key}`, undefined, cached, 'none');
    const found = providerTokenOf(ctx.me ?? {}, ctx.profile.id, ctx.teamId);
    s.expectEqual('the agent finds no token for the provider (top-level, then team)', undefined, found, 'none');
    if (ctx.pulledIdentity !== undefined) {
      const cachedIdentities = ctx.me?.providerIdentities;
      const identities: unknown[] = Array.isArray(cachedIdentities) ? cachedIdentities : [];
      s.check(
        `the agent's cache dropped "${ctx.pulledIdentity}"`,
        !identities.includes(ctx.pulledIdentity),
        'gone',
        identities,
      );
    }
    return 'the agent holds no token';
  }),
];

/** The connect steps with the disconnect steps before the final isolation check. */
export function disconnectFlowSteps(ctx: DisconnectContext): Step<DisconnectContext>[] {
  return connectStepsBeforeIsolation(ctx, disconnectSteps);
}

/** Runs connect + disconnect in a fresh lab (or `useLab`, which the caller closes). */
export async function runDisconnect(opts: DisconnectOptions, deps: FlowDeps, useLab?: Lab): Promise<ConnectRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  return withLab(
    useLab,
    () => labOptionsFor(deps, envName, opts),
    async (lab) => {
      const context: DisconnectContext = {
        ...createConnectContext(lab, envName, opts, deps),
        withoutHost: opts.withoutHost === true,
      };
      return runAgentFlow(disconnectFlowSteps(context), context, deps, {
        flow: 'disconnect',
        provider: opts.provider,
        env: envName,
        result: () => ({
          issuedToken: context.issuedToken ?? null,
          tokenRemoved: getPath(context.me, `${storageKeyOf(context)}.accessToken`) === undefined,
        }),
      });
    },
  );
}

// Contract §1.8: both the team-less and the team's key, each with .hosts.<starred host> and .multiple.<subId>.
function expectedUnset(ctx: DisconnectContext, host: string | undefined, sub: string | undefined): string[] {
  let suffix = host === undefined ? '' : `.hosts.${starHost(host.toLowerCase())}`;
  if (sub !== undefined) suffix += `.multiple.${sub}`;
  if (host === undefined && ctx.host !== undefined) suffix += '.accessToken';
  return [`providerInfo.${ctx.profile.id}${suffix}`, `providerInfo.${ctx.teamId}.${ctx.profile.id}${suffix}`];
}

function subIdOf(key: string): string | undefined {
  const at = key.indexOf('.multiple.');
  return at < 0 ? undefined : key.slice(at + '.multiple.'.length);
}

function storedUser(ctx: DisconnectContext) {
  return ctx.api.control.store.user(ctx.userId);
}

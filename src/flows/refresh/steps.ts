/**
 * "Refresh the token of X" (contract §1.8, §6.6): a connect that stores a refresh token, then the agent's
 * GET /provider-refresh/<p>, the refresh grant at the provider (with rotation where the profile says), the
 * stored and broadcast result. The steps run inside the connect's lab, before its isolation check.
 */
import { reportMessage } from '../../agent-sim/broadcast-recovery.js';
import { applyDirective } from '../../agent-sim/me-cache.js';
import { getPath } from '../../util/dotted.js';
import type { Lab } from '../../lab/start-lab.js';
import { storageKeyOf, type ConnectContext } from '../connect/steps.js';
import { connectStepsBeforeIsolation, labOptionsFor, runAgentFlow, withLab } from '../engine/lab-run.js';
import type { ConnectOptions, ConnectRun, FlowDeps } from '../connect/run.js';
import { createConnectContext } from '../connect/run.js';
import { operatorOf, userDirective, versionOf } from '../engine/directive.js';
import type { RunFlowOptions, Step, StepContext } from '../engine/runner.js';
import { REFRESH_SET_EXTRA_KEYS } from '../engine/contract.js';
import { isJsonObject } from '../../util/json.js';

export interface RefreshContext extends ConnectContext {
  oldRefreshToken?: string;
  refreshedToken?: string | undefined;
  /** $version.after of the refresh answer's directive: the broadcast to wait for. */
  refreshVersion?: number | undefined;
}

const step = (id: string, title: string, run: Step<RefreshContext>['run']): Step<RefreshContext> => ({
  id,
  title,
  run,
});

export const refreshSteps: readonly Step<RefreshContext>[] = [
  step('refresh-call', 'Agent asks the API to refresh the token (GET /provider-refresh)', async (ctx, s) => {
    const key = storageKeyOf(ctx);
    const before = storedToken(ctx, key);
    s.check(
      'connect stored a refresh token',
      typeof before.refreshToken === 'string',
      'a refresh token',
      before.refreshToken,
    );
    ctx.oldRefreshToken = String(before.refreshToken);
    ctx.secrets.add(ctx.oldRefreshToken);
    // Contract §6.6: the agent refreshes on its own once fewer than 60 s are left; the run asks now.
    if (typeof before.expiresAt === 'number') {
      const leftS = Math.max(0, Math.round((before.expiresAt - ctx.now()) / 1000) - 60);
      s.note(`the agent would refresh by itself ${leftS} s from now (60 s before expiresAt)`);
    }
    const answer = await ctx.client.request('GET', `/provider-refresh/${ctx.profile.id}?${refreshQuery(ctx, key)}`);
    s.expectEqual('provider-refresh answers 200', 200, answer.status, JSON.stringify(answer.body).slice(0, 80));
    const directive = userDirective(answer.body);
    checkRefreshDirective(s, directive, key);
    const answered = getPath(operatorOf(directive, '$set')?.[key], 'accessToken');
    const t = ctx.profile.token;
    if (ctx.providerJournal && t !== undefined) {
      // The refresh grant that carried this flow's stored refresh token (other flows may refresh too).
      const call = ctx.provider.control.requestCarrying('token', t.refresh.parameter, ctx.oldRefreshToken);
      const params = { ...call?.query, ...call?.body };
      s.check(
        `refresh grant: the stored refresh token (${t.refresh.parameter})`,
        call !== undefined,
        ctx.oldRefreshToken,
        'no token request carried it',
      );
      s.expectEqual('refresh grant: grant_type', 'refresh_token', params.grant_type);
      s.expectEqual('refresh grant: format', t.format, call?.format);
      const code = ctx.provider.control.issued.find((i) => i.accessToken === ctx.issuedToken)?.code ?? '';
      const issued = ctx.provider.control
        .issuedFrom(code)
        .find((i) => i.kind === 'refresh' && i.accessToken === answered);
      ctx.refreshedToken = issued?.accessToken;
      ctx.secrets.add(issued?.refreshToken);
    } else ctx.refreshedToken = typeof answered === 'string' ? answered : undefined;
    ctx.secrets.add(ctx.refreshedToken);
    s.expectEqual(`answer $set ${key}.accessToken`, ctx.refreshedToken, answered);
    ctx.refreshVersion = versionOf(directive).after;
    // Without a journal (a custom profile's real server) the first token is the one the connect stored.
    const first = ctx.providerJournal ? ctx.issuedToken : ctx.storedToken;
    s.check('an access token in the answer', ctx.refreshedToken !== undefined, 'an access token', ctx.refreshedToken);
    if (ctx.providerJournal)
      s.check('a new access token', ctx.refreshedToken !== first, 'a token other than the first', ctx.refreshedToken);
    else if (ctx.refreshedToken === first)
      s.note(
        'the server answered the refresh with the same access token it issued first (RFC 6749 §6 allows it; a deterministic JWT within the same second does this)',
      );
    const stored = storedToken(ctx, key);
    if (!ctx.providerJournal) {
      // A real server decides whether it rotates; the run says what it saw instead of asserting the profile's guess.
      const seen =
        typeof stored.refreshToken === 'string'
          ? stored.refreshToken === ctx.oldRefreshToken
            ? 'kept the same refresh token'
            : 'rotated the refresh token'
          : 'answered without a refresh_token, so the stored one is wiped (contract §1.8 quirk)';
      s.note(`${ctx.profile.displayName} ${seen}`);
    } else if (t?.refresh.rotate === true) {
      s.check(
        'rotated: a new refresh token is stored',
        typeof stored.refreshToken === 'string' && stored.refreshToken !== ctx.oldRefreshToken,
        'a new refresh token',
        stored.refreshToken,
      );
      if (ctx.providerJournal) {
        const used = ctx.provider.control.grants.byRefreshToken(ctx.oldRefreshToken)?.refreshUsed;
        s.expectEqual('rotated: the provider disabled the used refresh token', true, used);
      }
    } else {
      // Contract §1.8: overwritten with undefined, which the merged object of §1.10 no longer carries.
      s.expectEqual(
        'no rotation: the stored refresh token is wiped (contract §1.8 quirk)',
        undefined,
        stored.refreshToken,
        'none',
      );
      s.note(
        `${ctx.profile.displayName} answers a refresh without a refresh_token; the real server then overwrites the stored one, so the next refresh fails with RAPI-1009`,
      );
    }
    if (stored.expiresAt !== undefined)
      s.check('expiresAt is in the future', Number(stored.expiresAt) > ctx.now(), `> ${ctx.now()}`, stored.expiresAt);
    return `new token stored under ${key}`;
  }),

  step('refresh-broadcast', 'Agent receives the refreshed token on its me-channel', async (ctx, s) => {
    const object = storageKeyOf(ctx);
    const key = `${object}.accessToken`;
    // By the version the refresh answer named: the token alone may equal the connect's
    // (a real server may answer the same one).
    const got = await ctx.broadcasts.delivered((m) => {
      const user = m.message.user;
      return (
        getPath(operatorOf(user, '$set')?.[object], 'accessToken') === ctx.refreshedToken &&
        (ctx.refreshVersion === undefined || versionOf(user).after === ctx.refreshVersion)
      );
    }, `directive with the refreshed ${key}`);
    reportMessage(got, s.emit);
    s.expectEqual('channel', `user-${ctx.userId}`, got.channel);
    checkRefreshDirective(s, userDirective(got.message), object);
    const outcome = applyDirective(ctx.me ?? {}, userDirective(got.message));
    s.expectEqual('agent applies the directive to its cache', 'applied', outcome);
    const delivered = getPath(ctx.me, key);
    ctx.deliveredToken = typeof delivered === 'string' ? delivered : undefined;
    s.expectEqual('delivered token equals the refreshed token', ctx.refreshedToken, ctx.deliveredToken);
    return 'the agent holds the refreshed token';
  }),
];

/**
 * Contract §1.10 (provider_refresh/message_test.js): `$set` holds the whole provider object under `key`, plus
 * modifiedAt and version, and the directive has no `$unset`.
 */
function checkRefreshDirective(s: StepContext, directive: Record<string, unknown>, key: string): void {
  const $set = operatorOf(directive, '$set') ?? {};
  const expected = [key, ...REFRESH_SET_EXTRA_KEYS].sort().join(', ');
  s.expectEqual(
    '$set: the provider object under one key, modifiedAt, version',
    expected,
    Object.keys($set).sort().join(', '),
  );
  s.check(`$set ${key} is the whole provider object`, isJsonObject($set[key]), 'an object', $set[key]);
  s.expectEqual('$set modifiedAt is a time', 'number', typeof $set.modifiedAt);
  s.expectEqual('no $unset', undefined, directive.$unset, 'none');
}

/** The refresh token and expiry the API stores under `key` (contract §4.1). */
function storedToken(ctx: RefreshContext, key: string): { refreshToken: unknown; expiresAt: unknown } {
  const stored = getPath(ctx.api.control.store.user(ctx.userId), key);
  return { refreshToken: getPath(stored, 'refreshToken'), expiresAt: getPath(stored, 'expiresAt') };
}

/** Contract §6.6: teamId, plus host for an enterprise host, plus sharing and subId for a per-workspace token. */
export function refreshQuery(ctx: RefreshContext, key: string): string {
  const params: [string, string][] = [['teamId', ctx.teamId]];
  if (ctx.host !== undefined) params.push(['host', ctx.host]);
  const multiple = key.indexOf('.multiple.');
  if (multiple >= 0) params.push(['sharing', 'true'], ['subId', key.slice(multiple + '.multiple.'.length)]);
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

/** The connect steps with the refresh steps before the final isolation check. */
export function refreshFlowSteps(ctx: RefreshContext): Step<RefreshContext>[] {
  return connectStepsBeforeIsolation(ctx, refreshSteps);
}

/** What a refresh run takes: a connect's options, with `--step`'s hook seeing the refresh context. */
export interface RefreshOptions extends Omit<ConnectOptions, 'beforeStep'> {
  beforeStep?: RunFlowOptions<RefreshContext>['beforeStep'];
}

/** Runs connect + refresh in a fresh lab (or `useLab`). */
export async function runRefresh(opts: RefreshOptions, deps: FlowDeps, useLab?: Lab): Promise<ConnectRun> {
  const envName = opts.env ?? deps.config.defaultEnvironment;
  return withLab(
    useLab,
    () => labOptionsFor(deps, envName, opts),
    async (lab) => {
      const context: RefreshContext = createConnectContext(lab, envName, opts, deps);
      return runAgentFlow(refreshFlowSteps(context), context, deps, {
        flow: 'refresh',
        provider: opts.provider,
        env: envName,
        beforeStep: opts.beforeStep,
        result: () => ({
          refreshedToken: context.refreshedToken ?? null,
          deliveredToken: context.deliveredToken ?? null,
          tokenDelivered: context.refreshedToken !== undefined && context.deliveredToken === context.refreshedToken,
        }),
      });
    },
  );
}

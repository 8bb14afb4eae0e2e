/**
 * The remote flows (`--api-url`): connect, and refresh and disconnect after a connect, each seen through the
 * API's answers and `GET /users/me`.
 */
import { getPath } from '../../util/dotted.js';
import { operatorOf, userDirective } from '../engine/directive.js';
import { runFlow, type FlowOutcome, type Step } from '../engine/runner.js';
import { remoteSignupSteps } from './signup.js';
import { step } from './start.js';
import { connectSkipped, noteSkipped, remoteConnectSteps } from './connect.js';
import {
  createRemoteContext,
  pollMe,
  providerKey,
  tokenIn,
  type RemoteContext,
  type RemoteDeps,
  type RemoteOptions,
} from './context.js';

export type RemoteFlow = 'connect' | 'refresh' | 'disconnect' | 'signup';

const REFRESH_SKIPPED = ["the provider's refresh grant and its format (the API's outbound call)"];
const DISCONNECT_SKIPPED = ['the store after the deauth (read back through /users/me instead)'];

const refreshSteps: Step<RemoteContext>[] = [
  step('refresh-call', 'Agent asks the API to refresh the token (GET /provider-refresh)', async (ctx, s) => {
    const key = providerKey(ctx);
    const answer = await ctx.client.request(
      'GET',
      `/provider-refresh/${ctx.profile.id}?teamId=${encodeURIComponent(ctx.teamId)}`,
    );
    const directive = userDirective(answer.body);
    // Contract §1.8 (and §1.10): the whole merged provider object under one key; its tokens are secrets at once.
    const answered = getPath(operatorOf(directive, '$set')?.[key], 'accessToken');
    ctx.secrets.add(typeof answered === 'string' ? answered : undefined);
    const refresh = getPath(operatorOf(directive, '$set')?.[key], 'refreshToken');
    ctx.secrets.add(typeof refresh === 'string' ? refresh : undefined);
    s.expectEqual('provider-refresh answers 200', 200, answer.status, JSON.stringify(answer.body).slice(0, 80));
    s.expectEqual('answer user.id', ctx.userId, directive.id);
    s.check(
      `answer $set ${key} with a new accessToken`,
      typeof answered === 'string' && answered !== ctx.deliveredToken,
      'a new token',
      answered,
    );
    const seen = await pollMe(ctx, (me) => tokenIn(me, ctx) === answered);
    s.check(`/users/me holds the refreshed token within ${ctx.timeoutMs} ms`, seen.ok, answered, tokenIn(seen.me, ctx));
    noteSkipped(s, [...connectSkipped(ctx), ...ctx.skipped]);
    return 'token replaced';
  }),
];

const disconnectSteps: Step<RemoteContext>[] = [
  step('deauth-call', 'Agent disconnects the provider (PUT /provider-deauth)', async (ctx, s) => {
    const key = providerKey(ctx);
    const answer = await ctx.client.request('PUT', `/provider-deauth/${ctx.profile.id}`, { teamId: ctx.teamId });
    s.expectEqual('provider-deauth answers 200', 200, answer.status, JSON.stringify(answer.body).slice(0, 80));
    const directive = userDirective(answer.body);
    s.expectEqual('answer user.id', ctx.userId, directive.id);
    s.check(
      `answer $unset ${key}`,
      key in (operatorOf(directive, '$unset') ?? {}),
      key,
      operatorOf(directive, '$unset'),
    );
    const seen = await pollMe(ctx, (me) => tokenIn(me, ctx) === undefined);
    s.check(`/users/me has no token under ${key} within ${ctx.timeoutMs} ms`, seen.ok, 'none', 'a token');
    noteSkipped(s, [...connectSkipped(ctx), ...ctx.skipped]);
    return `${key} unset`;
  }),
];

/** Runs one remote flow; an unreachable API or a refused token throws before any step (one line). */
export async function runRemote(
  flow: RemoteFlow,
  opts: RemoteOptions,
  deps: RemoteDeps,
): Promise<{ outcome: FlowOutcome; context: RemoteContext }> {
  const context = await createRemoteContext(opts, deps, flow !== 'signup');
  // The connect's last step lists its skipped checks unless a later step lists them with its own, once.
  if (flow !== 'connect') context.skipped.push(...(flow === 'refresh' ? REFRESH_SKIPPED : DISCONNECT_SKIPPED));
  const steps: readonly Step<RemoteContext>[] =
    flow === 'signup'
      ? remoteSignupSteps
      : [...remoteConnectSteps, ...(flow === 'refresh' ? refreshSteps : flow === 'disconnect' ? disconnectSteps : [])];
  const outcome = await runFlow(steps, context, {
    flow,
    provider: deps.profile.id,
    env: opts.apiUrl,
    onEvent: deps.onEvent,
    now: deps.now,
    ...(deps.signal ? { signal: deps.signal } : {}),
    result: () => ({ apiUrl: context.apiUrl, tokenDelivered: context.deliveredToken !== undefined }),
  }).finally(() => context.broadcasts.close());
  return { outcome, context };
}

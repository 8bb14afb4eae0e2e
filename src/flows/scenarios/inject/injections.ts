/**
 * One applier per injection kind: each turns the declarative injection into lab controls, step hooks
 * or a browser rewrite. A table keyed by kind, so adding a kind adds a row, not a branch elsewhere.
 */
import type { BrowserInterceptor } from '../../../agent-sim/browser.js';
import { AppError } from '../../../errors.js';
import type { LabOptions } from '../../../lab/start-lab.js';
import type { UserDoc } from '../../../mock-api/store.js';
import type { ReadOnly } from '../../../mock-api/control.js';
import { need, type Step } from '../../engine/runner.js';
import { formatDuration } from '../../../util/duration.js';
import { signupAppliers } from './signup.js';
import { hopOf, queryValue, setQuery, tamperState, withProvider } from './rewrite.js';
import type { Applied, Applier, InjectionOf, ScenarioContext, ScenarioRuntime } from '../runtime.js';
import type { HopName, Injection } from '../types.js';

/** A rewrite of the first request to `hop`; one-shot, as one tampering proxy hop is enough. */
function rewriteOnce(hop: HopName, rewrite: (url: URL) => URL | Promise<URL>) {
  return (ctx: ScenarioContext): BrowserInterceptor => {
    let done = false;
    return async (target, actor) => {
      if (done || hopOf(target, actor) !== hop) return target;
      done = true;
      const rewritten = await rewrite(target);
      const changed = rewritten.search === target.search ? '' : ' (query changed)';
      ctx.onEvent({
        type: 'note',
        step: hop,
        text: `scenario rewrote the ${hop} request: ${rewritten.pathname}${changed}`,
      });
      return rewritten;
    };
  };
}

const appliers: { [K in Injection['kind']]: Applier<K> } = {
  'provider-fault': (inj, rt) => {
    const fail = (): void => providerOf(rt, rt.provider).control.failNext(inj.endpoint, inj.fault);
    // A fault for a later call (the refresh grant, after the connect's own exchange) is queued just before its step.
    return inj.before === undefined ? { arrange: fail } : { hooks: [{ step: inj.before, when: 'before', run: fail }] };
  },

  'provider-identity': (inj, rt) => ({
    arrange: () => providerOf(rt, rt.provider).control.setNextIdentity(inj.account),
  }),

  'agent-team': (inj) => ({
    hooks: [
      {
        step: 'auth-code',
        when: 'before',
        run(ctx, s) {
          ctx.teamId = inj.teamId;
          s.note(
            inj.teamId === ''
              ? 'the agent asks for a pauth code without a team'
              : `the agent asks for a pauth code for team "${inj.teamId}"`,
          );
        },
      },
    ],
  }),

  'broadcast-fault': (inj, rt) => ({
    arrange() {
      const faults = rt.api.control.inject.broadcastFaults;
      faults.drop += inj.drop ?? 0;
      faults.duplicate += inj.duplicate ?? 0;
      faults.blockHistory ||= inj.blockHistory ?? false;
      faults.reverseParts ||= inj.reverseParts ?? false;
    },
  }),

  'advance-clock': (inj, rt) => ({
    hooks: [
      {
        step: inj.before,
        when: 'before',
        run(_ctx, s) {
          rt.clock.advance(inj.ms);
          s.note(`${inj.why}: the clock moves ${formatDuration(inj.ms)} forward (injected, no waiting)`);
        },
      },
    ],
  }),

  'tamper-state': (inj, rt) => ({
    intercept: rewriteOnce(inj.hop, async (url) => {
      const state = queryValue(url, 'state') ?? '';
      const tampered = await tamperState(state, inj.tamper, rt.lab.config.secrets.auth);
      return tampered === undefined ? setQuery(url, {}, ['state']) : setQuery(url, { state: tampered });
    }),
  }),

  'rewrite-query': (inj) => ({
    intercept: rewriteOnce(inj.hop, (url) => setQuery(url, inj.set, inj.remove)),
  }),

  'rewrite-provider': (inj, rt) => {
    const to = inj.to === 'other' ? otherOf(rt) : inj.to;
    // Past authorize, the route now names another provider, and so must /web/error.
    if (inj.hop !== 'authorize') rt.callbackProvider = to;
    return { intercept: rewriteOnce(inj.hop, (url) => withProvider(url, to)) };
  },

  'redirect-uri-bypasses-router': (_inj, rt) => ({
    arrange() {
      // As for YouTrack, the provider knows the API's own callback (contract §7); the exchange still uses authOrigin.
      providerOf(rt, rt.provider).control.clients[0]?.redirectUris.push(directCallback(rt));
    },
    intercept: rewriteOnce('authorize', (url) => setQuery(url, { redirect_uri: directCallback(rt) })),
  }),

  'redirect-uri-unregistered': (_inj, rt) => ({
    // Another origin: prefix-matching (Bitbucket) and origin-matching providers would accept
    // an extension of the real one.
    intercept: rewriteOnce('authorize', (url) =>
      setQuery(url, { redirect_uri: `${rt.lab.marketing.url}/no-auth/provider-token/${rt.provider}` }),
    ),
  }),

  'replay-callback': <C extends ScenarioContext>(_inj: unknown, rt: ScenarioRuntime): Applied<C> => {
    const replay: Step<C> = {
      id: 'replay',
      title: 'Browser opens the callback URL a second time (history, a leaked link)',
      async run(ctx, s) {
        s.check('the first callback was recorded', ctx.callbackHop !== undefined, 'a callback hop', 'none');
        const hop = await ctx.browser.follow(need(ctx.callbackHop, 'callback hop', s));
        rt.hops.replay = hop;
        return `${hop.status} from the ${hop.to}`;
      },
    };
    return { actions: [replay] };
  },

  'store-change': (inj) => ({
    hooks: [
      {
        step: inj.before,
        when: 'before',
        run(ctx, s) {
          const user = ctx.api.control.store.user(ctx.userId ?? '');
          if (!user) throw new AppError('UNEXPECTED', `scenario store change: no user "${ctx.userId ?? ''}"`);
          s.note(storeChanges[inj.change](ctx, user));
        },
      },
    ],
  }),

  'agent-offline': (inj, rt) => ({
    hooks: [
      {
        step: inj.from,
        when: 'before',
        async run(ctx, s) {
          await ctx.broadcasts?.close();
          rt.agentOfflineSince = rt.clock.now();
          s.note("the agent's connection to the broadcaster drops");
        },
      },
      {
        step: 'broadcast',
        when: 'before',
        run(_ctx, s) {
          rt.clock.advance(inj.reconnectAfterMs);
          s.note(`the agent reconnects ${formatDuration(inj.reconnectAfterMs)} after the drop (injected clock)`);
        },
      },
    ],
  }),

  'move-step': (inj) => ({
    reorder(steps) {
      const moved = steps.find((s) => s.id === inj.step);
      const rest = steps.filter((s) => s.id !== inj.step);
      const at = rest.findIndex((s) => s.id === inj.after);
      if (!moved || at < 0)
        throw new AppError('UNEXPECTED', `scenario cannot move step "${inj.step}" after "${inj.after}"`);
      return [...rest.slice(0, at + 1), moved, ...rest.slice(at + 1)];
    },
  }),

  // Read before the lab starts (labOptionsOf); nothing to do once it runs.
  lab: () => ({}),
  // Read by the interact and disconnect runners when they build their context (plan/after-connect.ts).
  'tamper-provider-call': () => ({}),
  'deauth-without-host': () => ({}),

  ...signupAppliers,
};

/** What an injection contributes to a run of a flow whose context is C. */
export function applyInjection<C extends ScenarioContext>(injection: Injection, rt: ScenarioRuntime): Applied<C> {
  return applyKind<Injection['kind'], C>(injection.kind, injection, rt);
}

// The applier of `kind` takes that kind's injection: one generic K ties the table's row to the injection.
function applyKind<K extends Injection['kind'], C extends ScenarioContext>(
  kind: K,
  injection: InjectionOf[K],
  rt: ScenarioRuntime,
): Applied<C> {
  const applier: Applier<K> = appliers[kind];
  return applier<C>(injection, rt);
}

/** Lab options the scenario's injections ask for; they must be known before the lab starts. */
export function labOptionsOf(injections: readonly Injection[]): Partial<Pick<LabOptions, 'exchangeTimeoutMs'>> {
  const lab = injections.find((i): i is Extract<Injection, { kind: 'lab' }> => i.kind === 'lab');
  return lab === undefined ? {} : { exchangeTimeoutMs: lab.exchangeTimeoutMs };
}

type StoreChange = Extract<Injection, { kind: 'store-change' }>['change'];

// Each returns the note that tells the reader what changed behind the agent's back.
const storeChanges: Record<StoreChange, (ctx: ScenarioContext, user: ReadOnly<UserDoc>) => string> = {
  'silent-write': (ctx, user) => {
    const d = ctx.api.control.inject.writeUser(user.id, { $set: { 'preferences.scenario': 'changed elsewhere' } });
    return `another session wrote the user (version ${d.$version.before} → ${d.$version.after}); this agent never hears of it`;
  },
  'deactivate-user': (ctx, user) => {
    ctx.api.control.inject.setUserFlags(user.id, { deactivated: true });
    return `user "${user.id}" is deactivated while the browser is away`;
  },
  'deactivate-team': (ctx) => {
    const teamId = ctx.teamId ?? '';
    if (!ctx.api.control.store.team(teamId))
      throw new AppError('UNEXPECTED', `scenario store change: no team "${teamId}"`);
    ctx.api.control.inject.setTeamFlags(teamId, { deactivated: true });
    return `team "${teamId}" is deactivated while the browser is away; its user stays a member`;
  },
  'leave-team': (ctx, user) => {
    const teamId = ctx.teamId ?? '';
    ctx.api.control.inject.removeFromTeam(user.id, teamId);
    return `user "${user.id}" is removed from team "${teamId}" while the browser is away`;
  },
};

function providerOf(rt: ScenarioRuntime, id: string) {
  const provider = rt.lab.providers.get(id);
  if (!provider) throw new AppError('PROVIDER_UNKNOWN', `the lab runs no provider "${id}"`);
  return provider;
}

function otherOf(rt: ScenarioRuntime): string {
  if (rt.other === undefined)
    throw new AppError('PROVIDER_UNKNOWN', 'this scenario needs a second provider in the lab');
  return rt.other;
}

function directCallback(rt: ScenarioRuntime): string {
  return `${rt.api.url}/no-auth/provider-token/${rt.provider}`;
}

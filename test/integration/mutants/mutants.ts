/**
 * Mutants of the mock system (issue 11): each is a small layer or patch on a running lab that breaks one
 * contract point, so the test can prove the check that owns that point fails (and nothing before it).
 */
import type express from 'express';
import { decodeJwt } from 'jose';
import type { ApiContext } from '../../../src/mock-api/context.js';
import { readRawBody } from '../../../src/mock-api/raw-body.js';
import { signToken } from '../../../src/mock-api/pauth.js';
import type { UserUpdate } from '../../../src/mock-api/store.js';
import type { Lab } from '../../../src/lab/start-lab.js';

export type MutantFlow =
  | { kind: 'connect'; provider: string }
  | { kind: 'signup'; provider: string }
  | { kind: 'interact'; provider: 'slack' | 'msteams' };

export interface Mutant {
  id: string;
  /** The contract point it breaks. */
  breaks: string;
  flow: MutantFlow;
  /** A layer before the API's routes, or a patch of its context at start. */
  api?: (app: express.Express, ctx: ApiContext) => void;
  /** A patch of the running lab (providers, router). */
  lab?: (lab: Lab) => void;
  /** The step that must fail, and its first failed check (null: the step fails with `error`, not a check). */
  step: string;
  check: string | null;
  error?: RegExp;
}

/** Rewrites every Location the API answers on `path`. */
function rewriteLocation(path: RegExp, change: (location: string) => string) {
  return (app: express.Express): void => {
    app.use((req, res, next) => {
      if (path.test(req.path)) {
        const set = res.setHeader.bind(res);
        res.setHeader = (name: string, value: number | string | readonly string[]) =>
          set(name, name.toLowerCase() === 'location' && typeof value === 'string' ? change(value) : value);
      }
      next();
    });
  };
}

/** Rewrites the JSON the API answers on `path`. */
function rewriteJson(path: RegExp, change: (body: Record<string, unknown>, ctx: ApiContext) => Promise<unknown>) {
  return (app: express.Express, ctx: ApiContext): void => {
    app.use((req, res, next) => {
      if (path.test(req.path)) {
        const json = res.json.bind(res);
        res.json = ((body: Record<string, unknown>) => {
          void change(body, ctx).then((b) => json(b));
          return res;
        }) as typeof res.json;
      }
      next();
    });
  };
}

/** Re-signs the pauth of /provider-auth-code with `patch` over its claims and `lifetimeS`. */
function resignPauth(patch: Record<string, unknown>, lifetimeS = 600) {
  return rewriteJson(/^\/provider-auth-code$/, async (body, ctx) => {
    const { iat: _i, exp: _e, iss: _s, alg: _a, type, ...fields } = decodeJwt(String(body.code));
    const code = await signToken(
      String(type),
      { ...fields, ...patch },
      { secret: ctx.config.secrets.auth, now: ctx.now },
      lifetimeS,
    );
    return { ...body, code };
  });
}

/** Patches the store's versioned writes. */
function patchWrites(change: (id: string, update: UserUpdate, ctx: ApiContext) => UserUpdate) {
  return (_app: express.Express, ctx: ApiContext): void => {
    const update = ctx.store.updateUser.bind(ctx.store);
    ctx.store.updateUser = (id, u) => update(id, change(id, u, ctx));
  };
}

/** Patches what the broadcaster publishes. */
function patchPublish(change: (channel: string, message: Record<string, unknown>, ctx: ApiContext) => void) {
  return (_app: express.Express, ctx: ApiContext): void => {
    const publish = ctx.broadcaster.publish.bind(ctx.broadcaster);
    ctx.broadcaster.publish = (channel, message) => {
      change(channel, message, ctx);
      return publish(channel, message);
    };
  };
}

/** Rewrites the API's server-to-server calls to providers: URL, text body, form fields (name=value). */
function rewriteOutbound(change: (text: string) => string) {
  return (_app: express.Express, ctx: ApiContext): void => {
    const fetch = ctx.fetch;
    ctx.fetch = (input, init) => {
      const url = change(input instanceof Request ? input.url : String(input));
      const body = init?.body;
      if (typeof body === 'string') return fetch(url, { ...init, body: change(body) });
      if (body instanceof FormData) {
        const form = new FormData();
        for (const [k, v] of body) {
          const pair = change(`${k}=${typeof v === 'string' ? v : '[file]'}`);
          const at = pair.indexOf('=');
          if (at > 0) form.append(pair.slice(0, at), pair.slice(at + 1));
        }
        return fetch(url, { ...init, body: form });
      }
      return fetch(url, init);
    };
  };
}

/** Re-signs the sign-up state JWT in the start route's authorize redirect with `lifetimeS`. */
function resignSignupState(lifetimeS: number) {
  return (app: express.Express, ctx: ApiContext): void => {
    app.use((req, res, next) => {
      if (req.path.startsWith('/web/provider-auth/')) {
        const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
        res.redirect = ((status: number, url: string) => {
          const jwt = (new URL(url).searchParams.get('state') ?? '').split('!')[1] ?? '';
          const { iat: _i, exp: _e, iss: _s, alg: _a, type, ...fields } = decodeJwt(jwt);
          const key = { secret: ctx.config.secrets.auth, now: ctx.now };
          signToken(String(type), fields, key, lifetimeS).then(
            (signed) => redirect(status, url.replace(jwt, signed)),
            (err: unknown) => next(err),
          );
        }) as typeof res.redirect;
      }
      next();
    });
  };
}

const renameKey = (from: string, to: string) =>
  patchWrites((_id, u) => ({
    ...u,
    ...(u.$set === undefined
      ? {}
      : { $set: Object.fromEntries(Object.entries(u.$set).map(([k, v]) => [k.replace(from, to), v])) }),
  }));

/**
 * The provider's call reaches `from` and, before `from` answers, a copy reaches `to` (a VPN proxy or a network
 * that delivers to two environments): the copy is journaled in `to` before the run goes on, so no race.
 */
function alsoDeliverTo(from: string, to: string): Pick<Mutant, 'api' | 'lab'> {
  let target: string | undefined;
  return {
    lab: (lab) => void (target = lab.envs.get(to)?.url),
    api: (app, ctx) => {
      if (ctx.env.name !== from) return;
      app.use(async (req, _res, next) => {
        if (req.method === 'POST' && req.path.startsWith('/no-auth/provider-action/') && target !== undefined) {
          // The route reads the same bytes again: readRawBody keeps them per request.
          const body = await readRawBody(req);
          const headers = Object.fromEntries(
            Object.entries(req.headers).filter(
              (e): e is [string, string] => typeof e[1] === 'string' && !['host', 'content-length'].includes(e[0]),
            ),
          );
          await fetch(`${target}${req.path}`, { method: 'POST', headers, body: new Uint8Array(body) });
        }
        next();
      });
    },
  };
}

const github = { kind: 'connect', provider: 'github' } as const;

export const MUTANTS: Mutant[] = [
  {
    id: 'pauth-601',
    breaks: 'pauth lifetime 600 s (§1.2)',
    flow: github,
    api: resignPauth({}, 601),
    step: 'auth-code',
    check: 'pauth lifetime (exp − iat, s)',
  },
  {
    id: 'pauth-user',
    breaks: 'pauth userId is the caller (§2.1)',
    flow: github,
    api: resignPauth({ userId: 'lee' }),
    step: 'auth-code',
    check: 'pauth userId',
  },
  {
    id: 'pauth-team',
    breaks: 'pauth teamId is the asked team (§1.2)',
    flow: github,
    api: resignPauth({ teamId: 'other' }),
    step: 'auth-code',
    check: 'pauth teamId',
  },
  {
    id: 'sharing-no-sm',
    breaks: 'sharing=true puts sm:true in the pauth (§6.1)',
    flow: { kind: 'connect', provider: 'slack' },
    api: resignPauth({ sm: undefined }),
    step: 'auth-code',
    check: 'pauth sm (sharing)',
  },
  {
    id: 'state-%21',
    breaks: 'state segments joined by a raw "!" (§2.2)',
    flow: github,
    api: rewriteLocation(/^\/web\/provider-auth\//, (l) => l.replace(/(state=[^&!]*)!/, '$1%21')),
    step: 'start',
    check: 'every value encodeURIComponent-encoded',
  },
  {
    id: 'state-env',
    breaks: 'state segment 0 is callbackEnvironment (§2.2)',
    flow: github,
    api: rewriteLocation(/^\/web\/provider-auth\//, (l) => l.replace('state=local!', 'state=pd!')),
    step: 'start',
    check: 'state segment 0: environment',
  },
  {
    id: 'authorize-order',
    breaks: "authorize parameters in the profile's order (§3.1)",
    flow: github,
    api: rewriteLocation(/^\/web\/provider-auth\//, (l) => {
      const [base, query = ''] = l.split('?');
      return `${base}?${query.split('&').reverse().join('&')}`;
    }),
    step: 'start',
    check: 'authorize parameter order',
  },
  {
    id: 'wrong-env-route',
    breaks: 'the router sends the callback to the environment the state names (§7)',
    flow: github,
    lab: (lab) => lab.router.environments.set('local', lab.envs.get('pd')?.url ?? ''),
    step: 'route',
    check: 'routed to the environment',
  },
  {
    id: 'assertion-type',
    breaks: 'Azure DevOps jwt-bearer client_assertion_type (§3.2)',
    flow: { kind: 'connect', provider: 'azuredevops' },
    api: rewriteOutbound((text) => text.replace('jwt-bearer', 'saml2-bearer')),
    step: 'callback',
    check: 'callback is not sent to /web/error',
  },
  {
    id: 'exchange-no-grant-type',
    breaks: 'the exchange sends grant_type where the profile does (§3.1)',
    flow: { kind: 'connect', provider: 'gitlab' },
    api: rewriteOutbound((text) => text.replace(/grant_type=[^&]*&?/, '')),
    step: 'callback',
    check: 'callback is not sent to /web/error',
  },
  {
    id: 'users-info-query',
    breaks: 'Slack users.info?user=<id>&include_locale=true (§3.2)',
    flow: { kind: 'connect', provider: 'slack' },
    api: rewriteOutbound((text) => text.replace('include_locale=true', 'include_locale=1')),
    step: 'callback',
    check: '/api/users.info query',
  },
  {
    id: 'wrong-key',
    breaks: 'token stored under providerInfo.<team>.<provider> (§4.1)',
    flow: github,
    api: renameKey('providerInfo.acme.github.', 'providerInfo.acme.gh.'),
    step: 'callback',
    check: 'stored providerInfo.acme.github.accessToken',
  },
  {
    id: 'token-to-other-user',
    breaks: "a connect writes only its user's document (§4.1)",
    flow: github,
    api: patchWrites((id, u, ctx) => {
      if (id === 'dana' && Object.keys(u.$set ?? {}).some((k) => k.endsWith('github.accessToken')))
        ctx.store.updateUser('lee', { $set: u.$set ?? {} });
      return u;
    }),
    step: 'isolation',
    check: "this flow's token reached no other user",
  },
  {
    id: 'success-page',
    breaks: 'success redirect to marketing /auth-complete/<provider> (§1.9)',
    flow: github,
    api: rewriteLocation(/^\/no-auth\/provider-token\//, (l) =>
      l.replace('/auth-complete/github', '/auth-complete/gitlab'),
    ),
    step: 'success-page',
    check: 'success redirect',
  },
  {
    id: 'wrong-channel',
    breaks: 'the directive goes out on user-<id> (§4.2)',
    flow: github,
    api: (_app, ctx) => {
      const publish = ctx.broadcaster.publish.bind(ctx.broadcaster);
      ctx.broadcaster.publish = (channel, message) => publish(channel.replace(/^user-/, 'team-'), message);
    },
    step: 'broadcast',
    check: null,
    error: /^no directive setting providerInfo\.acme\.github\.accessToken arrived on user-dana/,
  },
  {
    id: 'also-other-channel',
    breaks: "the token is published on its user's channel only (§4.2)",
    flow: github,
    api: (_app, ctx) => {
      const publish = ctx.broadcaster.publish.bind(ctx.broadcaster);
      ctx.broadcaster.publish = (channel, message) => {
        if (channel === 'user-dana') publish('user-lee', message);
        return publish(channel, message);
      };
    },
    step: 'isolation',
    check: "this flow's token was published on no other channel",
  },
  {
    id: 'no-unset',
    breaks: 'a connect $unsets tokenError (§4.2)',
    flow: github,
    api: patchWrites((_id, { $unset: _u, ...rest }) => rest),
    step: 'broadcast',
    check: '$unset providerInfo.acme.github.tokenError',
  },
  {
    id: 'version-skip',
    breaks: '$version.after = before + 1 (§4.2)',
    flow: github,
    api: patchPublish((_c, m) => {
      const user = m.user as { $version?: { after: number } } | undefined;
      if (user?.$version) user.$version = { ...user.$version, after: user.$version.after + 1 };
    }),
    step: 'broadcast',
    check: '$version.after = before + 1',
  },
  {
    id: 'message-id',
    breaks: 'every message carries a UUID v4 messageId (§4.2)',
    flow: github,
    api: patchPublish((_c, m) => {
      m.messageId = 'not-a-uuid';
    }),
    step: 'broadcast',
    check: 'messageId is a UUID v4',
  },
  {
    id: 'code-mixup',
    breaks: 'the token is issued for the code the browser carried (RFC 6749 §4.1.3)',
    flow: github,
    lab: (lab) => {
      const grants = lab.providers.get('github')?.control.grants;
      if (!grants) return;
      const issue = grants.issueToken.bind(grants);
      grants.issueToken = (grant, options, refresh) => issue({ ...grant, code: `${grant.code}x` }, options, refresh);
    },
    step: 'callback',
    check: 'provider issued a token for that code',
  },
  {
    id: 'teams-reply',
    breaks: "the Teams bot's connected reply (§7)",
    flow: { kind: 'interact', provider: 'msteams' },
    api: rewriteJson(/^\/no-auth\/provider-action\/msteams$/, async (body) =>
      JSON.parse(JSON.stringify(body).replace('You are connected', 'You are in')),
    ),
    step: 'verify',
    check: 'reply returned to Teams (deliveryMode expectReplies)',
  },
  {
    id: 'call-to-other-env',
    breaks: "a provider's call reaches only the environment that owns the app (§7)",
    flow: { kind: 'interact', provider: 'slack' },
    ...alsoDeliverTo('local', 'pd'),
    step: 'isolation',
    check: "pd: no provider call carried this run's id",
  },
  {
    id: 'signup-state-121',
    breaks: 'the sign-up pauth lives 2 min (§1.4)',
    flow: { kind: 'signup', provider: 'github' },
    api: resignSignupState(121),
    step: 'start',
    check: 'state JWT lifetime (exp − iat, s)',
  },
  {
    id: 'signup-reusable',
    breaks: 'check-signup is single use (§5)',
    flow: { kind: 'signup', provider: 'github' },
    api: (_app, ctx) => {
      ctx.signups.remove = () => undefined;
    },
    step: 'single-use',
    check: 'status',
  },
];

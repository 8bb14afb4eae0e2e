/**
 * The headless browser: requests one hop at a time, never auto-follows, records each hop and refuses
 * to leave the lab's origins (so a wrong Location can never reach the internet). It keeps URL fragments
 * and cookies (RFC 6265, through tough-cookie) as a browser does, follows every redirect status as the Fetch
 * standard does (301/302/303 → GET, 307/308 keep method and body), and runs the one page script the lab
 * serves (the fragment hop) the way the page would. navigate.ts follows whole chains and submits forms.
 */
import type { CookieJar } from 'tough-cookie';
import { AppError } from '../errors.js';
import type { Actor, EventSink, HttpExchange } from '../events.js';
import { nextFragmentHop, readFragmentHopPage } from '../protocol/fragment-hop.js';
import { defined } from '../util/defined.js';
import { timedFetch } from './http-log.js';

export interface Hop extends HttpExchange {
  body: string;
  /** The fragment the page sees (without "#"): its URL's own, or inherited through redirects (RFC 9110 §10.2.2). */
  fragment?: string;
  /** The body this request sent, so a 307/308 answer can send it again (RFC 9110 §15.4.8, §15.4.9). */
  sent?: SentBody;
}

export interface SentBody {
  body: string;
  contentType: string;
}

/** How to open a URL: relative URLs resolve against `base`; a POST carries `sent`. */
export interface OpenOptions {
  base?: string | undefined;
  /** The fragment to keep when the URL has none (inherited through redirects, RFC 9110 §10.2.2). */
  inheritFragment?: string | undefined;
  method?: string;
  sent?: SentBody | undefined;
}

/** Someone who must know a value so that every output can hide it. */
export interface SecretKeeper {
  add(value: string | undefined): void;
}

/**
 * Sees each request before it is sent and may change its URL: failure scenarios use it to play a
 * proxy or an attacker that rewrites a hop (a tampered state, a code moved to another callback).
 */
export type BrowserInterceptor = (target: URL, actor: Actor) => URL | Promise<URL>;

export interface HeadlessBrowserOptions {
  /** Origin → the actor that answers there (for events and diagrams). */
  origins: ReadonlyMap<string, Actor>;
  fetch: typeof fetch;
  now: () => number;
  onEvent?: EventSink;
  /** Cookie values a provider sets (a real server's session) are registered here, so no report shows them. */
  secrets?: SecretKeeper;
}

/** A redirect the browser follows: any 3xx with a Location (RFC 9110 §15.4). */
export function isRedirect(hop: Pick<Hop, 'status' | 'location'>): boolean {
  return hop.status >= 300 && hop.status < 400 && hop.location !== undefined && hop.location !== '';
}

export class HeadlessBrowser {
  readonly hops: Hop[] = [];
  readonly interceptors: BrowserInterceptor[] = [];
  // Cookies belong to the host, not the origin (RFC 6265 §8.5): like a browser, the jar sends them to every port.
  // Made at the first Set-Cookie: most flows never see one, and tough-cookie (with its public-suffix list) is
  // a noticeable part of a cold CLI run's start-up.
  private jar: Promise<CookieJar> | undefined;

  constructor(private readonly opts: HeadlessBrowserOptions) {}

  /**
   * GET one URL (relative URLs resolve against `base`); throws BROWSER_LEFT_LAB outside the lab. The
   * fragment never goes to the server; the hop keeps it, or `inheritFragment` when the URL has none.
   */
  async get(url: string, base?: string, inheritFragment?: string): Promise<Hop> {
    return this.open(url, { base, inheritFragment });
  }

  /** Requests one URL with the method and body given (GET by default); see get. */
  async open(url: string, opts: OpenOptions = {}): Promise<Hop> {
    let target = this.resolve(url, opts.base);
    for (const intercept of this.interceptors)
      target = await intercept(target, this.opts.origins.get(target.origin) ?? 'browser');
    const fragment = target.hash !== '' ? target.hash.slice(1) : opts.inheritFragment;
    target = new URL(target.href);
    target.hash = '';
    const actor = this.opts.origins.get(target.origin);
    if (actor === undefined) {
      throw new AppError('BROWSER_LEFT_LAB', `the browser was sent to "${target.origin}", which is outside the lab`, {
        hint: 'A Location header points at an origin no lab server owns; look at the previous hop.',
        detail: { url: target.href },
      });
    }
    const method = opts.method ?? 'GET';
    const sent = method === 'GET' || method === 'HEAD' ? undefined : opts.sent;
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'codestream-auth headless browser',
    };
    if (sent !== undefined) headers['content-type'] = sent.contentType;
    const cookie = this.jar === undefined ? '' : await (await this.jar).getCookieString(target.href);
    if (cookie !== '') headers.cookie = cookie;
    const { response, exchange } = await timedFetch(
      this.opts.fetch,
      target.href,
      { method, headers, ...(sent === undefined ? {} : { body: sent.body }) },
      { from: 'browser', to: actor, now: this.opts.now },
    );
    await this.keepCookies(target.href, actor, response.headers);
    const body = await response.text();
    const hop: Hop = {
      ...exchange,
      bodySize: Buffer.byteLength(body),
      body,
      ...defined({ fragment, sent }),
    };
    this.hops.push(hop);
    const { body: _omit, fragment: _fragment, sent: _sent, ...event } = hop;
    this.opts.onEvent?.({ type: 'http', ...event });
    return hop;
  }

  /**
   * Follows the Location of a 3xx hop, one hop: 307 and 308 repeat the method and body (RFC 9110 §15.4.8,
   * §15.4.9); 301, 302 and 303 turn into a GET, as browsers do (Fetch standard, "HTTP-redirect fetch").
   */
  async follow(hop: Hop): Promise<Hop> {
    if (!isRedirect(hop)) {
      throw new AppError('CHECK_FAILED', `expected a redirect from ${hop.url}, got ${hop.status}`, {
        detail: { url: hop.url, status: hop.status },
      });
    }
    const keep = hop.status === 307 || hop.status === 308;
    return this.open(hop.location ?? '', {
      base: hop.url,
      inheritFragment: hop.fragment,
      ...(keep ? { method: hop.method, sent: hop.sent } : {}),
    });
  }

  /**
   * Where the page of a 200 hop would navigate by script, or undefined when it has none the browser knows.
   * The lab serves one such page (the fragment hop); its instructions are data in the page, and the
   * navigation is computed by the same function the page's script runs.
   */
  scriptedNavigation(hop: Hop): string | undefined {
    if (hop.status !== 200) return undefined;
    const config = readFragmentHopPage(hop.body);
    return config === undefined ? undefined : nextFragmentHop(config, `${hop.url}#${hop.fragment ?? ''}`);
  }

  /** Runs the page's navigation script: GETs where it would go. */
  async runScript(hop: Hop): Promise<Hop> {
    const next = this.scriptedNavigation(hop);
    if (next === undefined)
      throw new AppError('CHECK_FAILED', `the page at ${hop.url} has no navigation script the browser knows`, {
        detail: { url: hop.url, status: hop.status },
      });
    return this.get(next, hop.url);
  }

  /** Absolute URL of a hop's Location. */
  locationOf(hop: Hop): URL | undefined {
    return hop.location ? this.resolve(hop.location, hop.url) : undefined;
  }

  private resolve(url: string, base?: string): URL {
    try {
      return new URL(url, base);
    } catch {
      throw new AppError('CHECK_FAILED', `"${url}" is not a URL the browser can open`);
    }
  }

  private async keepCookies(url: string, actor: Actor, headers: Headers): Promise<void> {
    for (const line of headers.getSetCookie()) {
      this.jar ??= import('tough-cookie').then(({ CookieJar }) => new CookieJar());
      // A cookie the jar refuses (bad domain, malformed) is dropped, as a browser drops it.
      const cookie = await (await this.jar).setCookie(line, url, { ignoreError: true });
      if (actor === 'provider' && cookie) this.opts.secrets?.add(cookie.value);
    }
  }
}

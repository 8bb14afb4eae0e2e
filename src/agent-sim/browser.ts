/**
 * The headless browser: requests one hop at a time, never auto-follows, records each hop and refuses
 * to leave the lab's origins (so a wrong Location can never reach the internet). It keeps URL fragments
 * as a browser does, and runs the one page script the lab serves (the fragment hop) the way the page would.
 */
import { AppError } from '../errors.js';
import type { Actor, EventSink, HttpExchange } from '../events.js';
import { nextFragmentHop, readFragmentHopPage } from '../protocol/fragment-hop.js';
import { defined } from '../util/defined.js';
import { timedFetch } from './http-log.js';

export interface Hop extends HttpExchange {
  body: string;
  /** The fragment the page sees (without "#"): its URL's own, or inherited through redirects (RFC 9110 §10.2.2). */
  fragment?: string;
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
}

export class HeadlessBrowser {
  readonly hops: Hop[] = [];
  readonly interceptors: BrowserInterceptor[] = [];
  private readonly cookies = new Map<string, Map<string, string>>();

  constructor(private readonly opts: HeadlessBrowserOptions) {}

  /**
   * GET one URL (relative URLs resolve against `base`); throws BROWSER_LEFT_LAB outside the lab. The
   * fragment never goes to the server; the hop keeps it, or `inheritFragment` when the URL has none.
   */
  async get(url: string, base?: string, inheritFragment?: string): Promise<Hop> {
    let target = this.resolve(url, base);
    for (const intercept of this.interceptors)
      target = await intercept(target, this.opts.origins.get(target.origin) ?? 'browser');
    const fragment = target.hash !== '' ? target.hash.slice(1) : inheritFragment;
    target = new URL(target.href);
    target.hash = '';
    const actor = this.opts.origins.get(target.origin);
    if (actor === undefined) {
      throw new AppError('BROWSER_LEFT_LAB', `the browser was sent to "${target.origin}", which is outside the lab`, {
        hint: 'A Location header points at an origin no lab server owns; look at the previous hop.',
        detail: { url: target.href },
      });
    }
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml',
      'user-agent': 'codestream-auth headless browser',
    };
    const jar = this.cookies.get(target.origin);
    if (jar && jar.size > 0) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const { response, exchange } = await timedFetch(
      this.opts.fetch,
      target.href,
      { method: 'GET', headers },
      { from: 'browser', to: actor, now: this.opts.now },
    );
    this.keepCookies(target.origin, response.headers);
    const body = await response.text();
    const hop: Hop = {
      ...exchange,
      bodySize: Buffer.byteLength(body),
      body,
      ...defined({ fragment }),
    };
    this.hops.push(hop);
    const { body: _omit, fragment: _fragment, ...event } = hop;
    this.opts.onEvent?.({ type: 'http', ...event });
    return hop;
  }

  /** Follows the Location of a 3xx hop, one hop. */
  async follow(hop: Hop): Promise<Hop> {
    if (hop.status < 300 || hop.status >= 400 || !hop.location) {
      throw new AppError('CHECK_FAILED', `expected a redirect from ${hop.url}, got ${hop.status}`, {
        detail: { url: hop.url, status: hop.status },
      });
    }
    return this.get(hop.location, hop.url, hop.fragment);
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

  private keepCookies(origin: string, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const jar = this.cookies.get(origin) ?? new Map<string, string>();
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      this.cookies.set(origin, jar);
    }
  }
}

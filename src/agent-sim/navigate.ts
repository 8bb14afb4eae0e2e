/**
 * A browser's way through a real authorization server: from the authorize redirect, through the server's own
 * redirects, login and consent pages, until a Location points at the registered callback. The browser stops
 * before that request (the flow makes it, so the router's hop is checked as in the lab). Each hop is recorded
 * and reported by the browser as usual; this module only decides what the next one is.
 */
import type { HeadlessBrowser, Hop } from './browser.js';
import { isRedirect } from './browser.js';
import type { FormButton, HtmlForm, HtmlPage } from './html-forms.js';

/** At most this many requests between the authorize redirect and the callback (Fetch standard's redirect limit). */
export const MAX_HOPS = 20;

/** The login a custom profile describes (its `login` block), with the values already read from the environment. */
export interface LoginForm {
  /** Form field name → the value to type in. */
  fields: Readonly<Record<string, string>>;
  /** The label of the login form's submit button ("Sign in"). */
  submit: string;
  /** The label of the consent page's approve button; absent: the first button whose label approves. */
  consent?: string | undefined;
}

export type NavigationEnd =
  /** `hop` answered a redirect whose Location is the callback. */
  | { kind: 'arrived'; hop: Hop; hops: number }
  /** `hop` is a page the browser can do nothing more with on its own; `why` says what it is. */
  | { kind: 'page'; hop: Hop; hops: number; why: string }
  /** The login form came back after the browser filled and submitted it. */
  | { kind: 'login-refused'; hop: Hop; hops: number }
  /** MAX_HOPS requests without reaching the callback; `loop` names the URLs that repeat (or the last ones). */
  | { kind: 'too-many-hops'; hop: Hop; hops: number; loop: string[] };

// What a consent page's approve button usually says, when the profile names none.
const APPROVE = /^(allow|approve|authori[sz]e|accept|agree|continue|yes|grant)\b/i;

/**
 * Follows `from` (a redirect to the authorize endpoint) until a redirect's Location satisfies `arrived`,
 * submitting auto-submitting pages always and the login and consent forms only with `login`.
 */
export async function navigateUntil(
  browser: HeadlessBrowser,
  from: Hop,
  arrived: (target: URL) => boolean,
  login?: LoginForm,
): Promise<NavigationEnd> {
  let hop = from;
  let hops = 0;
  let loginSent = false;
  const urls: string[] = [];
  while (true) {
    if (isRedirect(hop)) {
      const target = browser.locationOf(hop);
      if (target !== undefined && arrived(target)) return { kind: 'arrived', hop, hops };
    }
    if (hops >= MAX_HOPS) return { kind: 'too-many-hops', hop, hops, loop: loopOf(urls) };
    if (isRedirect(hop)) {
      hop = await browser.follow(hop);
    } else {
      // The HTML reader (htmlparser2 and its ~25 modules) loads at the first page; a run of redirects needs none.
      const forms = await import('./html-forms.js');
      const next = nextSubmission(forms.readPage(hop.body), login, loginSent);
      if (next.kind !== 'submit') return { ...next, hop, hops };
      loginSent ||= next.isLogin;
      const s = forms.submission(next.form, hop.url, next.values, next.button);
      hop = await browser.open(s.url, {
        method: s.method,
        ...(s.body === undefined ? {} : { sent: { body: s.body, contentType: 'application/x-www-form-urlencoded' } }),
      });
    }
    hops += 1;
    const at = new URL(hop.url);
    urls.push(`${at.origin}${at.pathname}`);
  }
}

type Next =
  | { kind: 'submit'; form: HtmlForm; values: Record<string, string>; button?: FormButton; isLogin: boolean }
  | { kind: 'page'; why: string }
  | { kind: 'login-refused' };

function nextSubmission(page: HtmlPage, login: LoginForm | undefined, loginSent: boolean): Next {
  const [first] = page.forms;
  // A form the page submits by itself needs no person (OAuth 2.0 Form Post Response Mode).
  if (page.autoSubmits && first !== undefined) return { kind: 'submit', form: first, values: {}, isLogin: false };
  if (login === undefined)
    return { kind: 'page', why: page.forms.length > 0 ? 'a page with a form for a person' : 'a page without a form' };
  const names = Object.keys(login.fields);
  const loginForm = page.forms.find((f) => names.every((n) => f.controls.some((c) => c.name === n)));
  if (loginForm !== undefined) {
    if (loginSent) return { kind: 'login-refused' };
    const button = loginForm.buttons.find((b) => b.label === login.submit);
    if (button === undefined && loginForm.buttons.length > 0)
      return {
        kind: 'page',
        why: `a login form without a "${login.submit}" button (it has ${loginForm.buttons.map((b) => `"${b.label}"`).join(', ')})`,
      };
    return { kind: 'submit', form: loginForm, values: { ...login.fields }, isLogin: true, ...opt(button) };
  }
  const approves = (b: FormButton): boolean =>
    login.consent === undefined ? APPROVE.test(b.label) : b.label === login.consent;
  for (const form of page.forms) {
    const button = form.buttons.find(approves);
    if (button !== undefined) return { kind: 'submit', form, values: {}, button, isLogin: false };
  }
  const wanted = login.consent === undefined ? 'an approve button' : `a "${login.consent}" button`;
  return {
    kind: 'page',
    why: page.forms.length > 0 ? `a form with neither the login fields nor ${wanted}` : 'a page without a form',
  };
}

const opt = (button: FormButton | undefined): { button?: FormButton } => (button === undefined ? {} : { button });

// The stretch between the first URL that comes back and its return ("a → b → a"), else the last few URLs.
function loopOf(urls: readonly string[]): string[] {
  for (let i = 0; i < urls.length; i += 1) {
    const again = urls.indexOf(urls[i] ?? '', i + 1);
    if (again > 0) return urls.slice(i, again + 1);
  }
  return urls.slice(-5);
}

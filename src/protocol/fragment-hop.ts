/**
 * The fragment hop of contract §1.5 step 3: for providers that return the token in the URL fragment, the
 * callback answers a page whose script moves the token into the query and goes on to the auth origin.
 * The page carries its instructions as JSON; a real browser runs `nextFragmentHop` as the page's script,
 * and the headless browser runs the very same function, so the two cannot drift apart.
 */
import { parseJsonObject } from '../util/json.js';

/** The instructions embedded in the page. */
export interface FragmentHopConfig {
  /** `${authOrigin}/provider-token/<provider>`: where the second hop goes. */
  target: string;
  /** The fragment field holding the token: "token" (Trello), "access_token" (YouTrack). */
  tokenField: string;
  /** The state from the first hop's query (Trello); empty when it is in the fragment (YouTrack). */
  state: string;
}

/** The id of the `<script type="application/json">` element that holds the config. */
export const FRAGMENT_HOP_ID = 'codestream-fragment-hop';

/**
 * Where the page navigates from `href` (which includes the fragment). Self-contained on purpose: its
 * source text is inlined into the page, so it may use nothing from outside its own body.
 */
export function nextFragmentHop(config: FragmentHopConfig, href: string): string {
  const hash = new URLSearchParams(new URL(href).hash.slice(1));
  const token = hash.get(config.tokenField) ?? '';
  const state = config.state !== '' ? config.state : (hash.get('state') ?? '');
  // note: as on the real page, no token means ?error=NO_TOKEN, which is served this page again (failure mode 13).
  if (token === '') return `${config.target}?error=NO_TOKEN&state=${encodeURIComponent(state)}`;
  const params = new URLSearchParams(hash);
  params.set('token', token);
  params.set('state', state);
  return `${config.target}?${params.toString()}`;
}

/** The config of a fragment-hop page, or undefined when `html` is not one. */
export function readFragmentHopPage(html: string): FragmentHopConfig | undefined {
  const match = new RegExp(`<script type="application/json" id="${FRAGMENT_HOP_ID}">([^<]*)</script>`).exec(html);
  const config = parseJsonObject(match?.[1]);
  if (config === undefined) return undefined;
  const { target, tokenField, state } = config;
  return typeof target === 'string' && typeof tokenField === 'string' && typeof state === 'string'
    ? { target, tokenField, state }
    : undefined;
}

/**
 * The user's own browser, for `--browser`: the start URL goes to the command named by BROWSER when
 * that is set (the convention xdg-open, git and Python's webbrowser share), otherwise through `open`.
 */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { AppError } from '../errors.js';

/** Hands a URL to a browser; resolves once the browser was started, not when the page loads. */
export type UrlOpener = (url: string) => Promise<void>;

export interface RealBrowserOptions {
  /** The environment to read BROWSER from (deps.env, never process.env directly). */
  env: Readonly<Record<string, string | undefined>>;
  /** Replaceable for tests of the fallback path. */
  openWith?: (url: string) => Promise<unknown>;
}

/** An opener that respects BROWSER and falls back to the platform's default browser. */
export function createRealBrowserOpener(opts: RealBrowserOptions): UrlOpener {
  const command = parseBrowserCommand(opts.env.BROWSER);
  if (command !== undefined) return (url) => spawnBrowser(command, url);
  // `open` (and the ~20 modules it pulls in) loads only when a run opens a browser: a plain connect never does.
  const openWith = opts.openWith ?? (async (url: string) => (await import('open')).default(url));
  return async (url) => {
    try {
      await openWith(url);
    } catch (cause) {
      throw new AppError('BROWSER_OPEN_FAILED', 'could not open the default browser', {
        cause,
        hint: 'Set BROWSER to your browser command (e.g. BROWSER=firefox), or rerun with --show-secrets and open the printed URL by hand.',
      });
    }
  };
}

export interface BrowserCommand {
  file: string;
  args: string[];
}

/**
 * BROWSER may list several commands separated by the platform's list separator (":" here, ";" on Windows,
 * so "C:\\…" stays one path); the first is used. "%s" marks where the URL goes (otherwise it is appended).
 * Words are split on spaces, with "…" or '…' keeping a path with spaces whole, and no shell ever sees the
 * URL (its "&" and "!" would mean something to one).
 */
export function parseBrowserCommand(
  value: string | undefined,
  listSeparator: string = delimiter,
): BrowserCommand | undefined {
  const first = splitOutsideQuotes(value ?? '', listSeparator)[0]?.trim() ?? '';
  if (first === '') return undefined;
  const [file = '', ...args] = words(first);
  return file === '' ? undefined : { file, args };
}

// The commands of a list, not splitting inside quotes.
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = '';
  for (const ch of value) {
    if (quote === undefined && ch === separator) {
      parts.push(current);
      current = '';
      continue;
    }
    if (ch === '"' || ch === "'") quote = quote === ch ? undefined : (quote ?? ch);
    current += ch;
  }
  parts.push(current);
  return parts;
}

// Space-separated words; quotes group and are removed.
function words(command: string): string[] {
  const out: string[] = [];
  let quote: string | undefined;
  let current: string | undefined;
  for (const ch of command) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else current = (current ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current ??= '';
    } else if (/\s/.test(ch)) {
      if (current !== undefined) out.push(current);
      current = undefined;
    } else current = (current ?? '') + ch;
  }
  if (current !== undefined) out.push(current);
  return out;
}

function spawnBrowser(command: BrowserCommand, url: string): Promise<void> {
  const args = command.args.some((a) => a.includes('%s'))
    ? command.args.map((a) => a.replaceAll('%s', url))
    : [...command.args, url];
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, args, { stdio: 'ignore', detached: true });
    child.once('error', (cause) =>
      reject(
        new AppError('BROWSER_OPEN_FAILED', `could not start the browser command "${command.file}" from BROWSER`, {
          cause,
          hint: 'Fix or unset the BROWSER environment variable.',
        }),
      ),
    );
    child.once('spawn', () => {
      // The browser outlives this run (the user may keep the tab); do not keep the CLI alive for it.
      child.unref();
      resolve();
    });
  });
}

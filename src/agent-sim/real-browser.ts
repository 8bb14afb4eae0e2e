/**
 * The user's own browser, for `--browser`: the start URL goes to the command named by BROWSER when
 * that is set (the convention xdg-open, git and Python's webbrowser share), otherwise through `open`.
 */
import { spawn } from 'node:child_process';
import open from 'open';
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
  const openWith = opts.openWith ?? ((url: string) => open(url));
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
 * BROWSER may list several commands separated by ":"; the first is used. "%s" marks where the URL goes
 * (otherwise it is appended). Words are split on spaces, without a shell, so the URL is never
 * interpreted by one (its "&" and "!" would be).
 */
export function parseBrowserCommand(value: string | undefined): BrowserCommand | undefined {
  const first = (value ?? '').split(':')[0]?.trim() ?? '';
  if (first === '') return undefined;
  const [file = '', ...args] = first.split(/\s+/);
  return { file, args };
}

function spawnBrowser(command: BrowserCommand, url: string): Promise<void> {
  const args = command.args.some((a) => a.includes('%s')) ? command.args.map((a) => a.replaceAll('%s', url)) : [...command.args, url];
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

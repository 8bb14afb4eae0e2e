/**
 * `--api-url`, `--token`, `--team` of connect, refresh and disconnect: the run drives a CodeStream API the lab
 * did not start (docs/real-api.md); the lab starts nothing that API provides.
 */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { flowKind } from '../flows/connect/expect.js';
import type { RemoteFlow } from '../flows/remote/run.js';
import type { RemoteOptions } from '../flows/remote/context.js';
import { startLabProviders } from '../lab/providers.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { loginOf } from '../profiles/login-values.js';
import type { LabData } from './support/shared.js';
import { createOutput } from './support/shared.js';
import type { SecretSink } from '../flows/engine/context.js';

export interface RemoteFlags {
  apiUrl?: string;
  token?: string;
  team?: string;
  providerPort?: string;
  authOrigin?: string;
  broadcasterUrl?: string;
  broadcasterToken?: string;
  json?: boolean;
  showSecrets?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** Adds the remote API's options; `timeout` adds `--timeout` where the command has none. */
export function remoteApiOptions(cmd: Command, timeout: boolean): Command {
  cmd
    .option('--api-url <url>', 'a CodeStream API the lab did not start (see docs/real-api.md); the lab runs no API')
    .option('--token <token>', "with --api-url: the user's access token (default: env CODESTREAM_TOKEN)")
    .option('--team <id>', 'with --api-url: the team the provider is connected for')
    .option(
      '--broadcaster-url <url>',
      "with --api-url: the API's broadcaster (ws://…/broadcaster, the lab's protocol); delivery is then seen on user-<id>",
    )
    .option(
      '--broadcaster-token <token>',
      'with --broadcaster-url: the broadcaster token (default: env CODESTREAM_BROADCASTER_TOKEN)',
    )
    .option(
      '--provider-port <n>',
      "with --api-url: start the lab's mock provider on this port, for an API configured with its URL (docs/real-api.md)",
    )
    .option(
      '--auth-origin <url>',
      "with --provider-port: the API's apiServer.authOrigin, whose /provider-token/<p> the provider accepts (default: <api-url>/no-auth)",
    );
  if (timeout)
    cmd.option('--timeout <seconds>', 'with --api-url: how long the token may take to show in /users/me', '30');
  return cmd;
}

/** The flags --api-url cannot go with: they shape a lab the run does not start. */
export function refuseWithApiUrl(flags: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    const key = name.replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
    if (flags[key] !== undefined && flags[key] !== false)
      throw new UsageError(`${name} shapes the lab's own API; leave it out with --api-url`);
  }
}

/** Runs `flow` against --api-url and returns the exit code. */
export async function runRemoteCommand(
  flow: RemoteFlow,
  profile: ProviderProfile,
  flags: RemoteFlags & { timeout?: string },
  deps: Deps,
  data: LabData,
): Promise<number> {
  const apiUrl = parseUrl(flags.apiUrl ?? '');
  // A sign-up is anonymous until its login package: the token and team are a signed-in user's.
  const token = flags.token ?? deps.env.CODESTREAM_TOKEN ?? '';
  if (token === '' && flow !== 'signup')
    throw new UsageError('--api-url needs the access token: --token <token> or env CODESTREAM_TOKEN');
  if (flags.team === undefined && flow !== 'signup') throw new UsageError('--api-url needs the team: --team <id>');
  if (flowKind(profile) !== 'code')
    throw new UsageError(`--api-url runs providers that answer with a code; ${profile.id} does not`);
  const broadcaster = broadcasterOf(flags, deps);
  const seconds = Number(flags.timeout ?? '30');
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout must be a number of seconds, got "${flags.timeout ?? ''}"`);
  const { renderer, secrets } = await createOutput(flags, deps, data);
  const started: Array<{ close(): Promise<void> }> = [];
  try {
    const labProvider = await startProviderFor(profile, flags, apiUrl, data, deps, started);
    const login = loginOf(data.config.clients[profile.id]);
    const sink: SecretSink = secrets;
    for (const value of Object.values(login?.fields ?? {})) sink.add(value);
    // The remote flows load only with --api-url, the one case that runs them.
    const { runRemote } = await import('../flows/remote/run.js');
    const { outcome } = await runRemote(
      flow,
      { apiUrl, token, teamId: flags.team ?? '', timeoutMs: seconds * 1000, labProvider, broadcaster },
      {
        profile,
        fetch: deps.fetch,
        now: deps.now,
        onEvent: renderer.onEvent,
        secrets: sink,
        signal: deps.signal,
        login,
      },
    );
    return outcome.ok ? 0 : 1;
  } finally {
    renderer.close();
    await Promise.allSettled(started.map((s) => s.close()));
  }
}

/**
 * `--provider-port`: the lab's mock of the provider, registered with the lab config's client and the API's
 * callback.
 */
async function startProviderFor(
  profile: ProviderProfile,
  flags: RemoteFlags,
  apiUrl: string,
  data: LabData,
  deps: Deps,
  started: Array<{ close(): Promise<void> }>,
): Promise<RemoteOptions['labProvider']> {
  if (flags.providerPort === undefined) {
    if (flags.authOrigin !== undefined) throw new UsageError('--auth-origin goes with --provider-port');
    return undefined;
  }
  if (profile.server !== undefined)
    throw new UsageError('--profile names a real server: the lab starts no provider for it; leave out --provider-port');
  const port = Number(flags.providerPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--provider-port must be a port number, got "${flags.providerPort}"`);
  // Contract §7: authOrigin defaults to ${publicApiUrl}/no-auth.
  const authOrigin = (flags.authOrigin ?? `${apiUrl}/no-auth`).replace(/\/+$/, '');
  const lp = await startLabProviders({
    ids: [profile.id],
    config: data.config,
    profiles: data.profiles,
    authOrigin,
    now: deps.now,
    consent: 'auto',
    listenOpts: () => ({ port }),
    started,
  });
  const provider = lp.providers.get(profile.id);
  const clientId = data.config.clients[profile.id]?.clientId;
  if (!provider || clientId === undefined)
    throw new UsageError(`the lab config has no CodeStream client for ${profile.id}`);
  return { provider, clientId, redirectUri: `${authOrigin}/provider-token/${profile.id}` };
}

function broadcasterOf(flags: RemoteFlags, deps: Deps): RemoteOptions['broadcaster'] {
  const token = flags.broadcasterToken ?? deps.env.CODESTREAM_BROADCASTER_TOKEN;
  if (flags.broadcasterUrl === undefined) {
    if (flags.broadcasterToken !== undefined) throw new UsageError('--broadcaster-token goes with --broadcaster-url');
    return undefined;
  }
  if (!/^(wss?|https?):\/\//.test(flags.broadcasterUrl))
    throw new UsageError(`--broadcaster-url must be a ws(s) URL, got "${flags.broadcasterUrl}"`);
  if (token === undefined || token === '')
    throw new UsageError(
      '--broadcaster-url needs the broadcaster token: --broadcaster-token or env CODESTREAM_BROADCASTER_TOKEN',
    );
  return { url: flags.broadcasterUrl, token };
}

function parseUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new UsageError(`--api-url must be an http(s) URL, got "${text}"`);
}

/**
 * Custom profiles (`connect --profile ./my-oauth.json`): a provider the lab does not mock, such as any
 * standards OAuth 2.0 server, a self-hosted GitLab or a GitHub Enterprise sandbox. The file names the
 * server's absolute URLs and the client id; the client secret is read from the environment variable the
 * file names, so it never sits in a file next to the profile.
 */
import { UsageError } from '../errors.js';
import type { LabConfig } from '../lab/config.js';
import type { ProviderProfile } from './profile.js';

export interface LabData {
  config: LabConfig;
  profiles: Map<string, ProviderProfile>;
}

/** Reads the profile, checks it is a custom one and adds it (and its client) to the lab data; returns its id. */
export async function addCustomProfile(
  data: LabData,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<ProviderProfile> {
  // Loaded here, not at the top: they validate with zod, which a run without --profile never needs.
  const [{ readCustomProfile }, { discoverEndpoints, withEndpoints }, { loginValues, missingLoginVars }] =
    await Promise.all([import('./custom-file.js'), import('./discovery.js'), import('./login.js')]);
  let profile = await readCustomProfile(path);
  const server = profile.server;
  if (server === undefined) {
    throw new UsageError(`profile ${path} has no "server" block`, {
      hint: 'A custom profile names the real server: "server": {"authorizeUrl", "tokenUrl", "clientId", "clientSecretEnv"}.',
    });
  }
  const secret = env[server.clientSecretEnv];
  if (secret === undefined || secret === '') {
    throw new UsageError(`environment variable "${server.clientSecretEnv}" is not set`, {
      hint:
        `Export it with the client secret of "${server.clientId}", ` +
        `e.g. ${server.clientSecretEnv}=… codestream-auth connect --profile ${path}`,
    });
  }
  const missing = profile.login === undefined ? [] : missingLoginVars(profile.login, env);
  if (missing.length > 0)
    throw new UsageError(`environment variable "${missing[0] ?? ''}" of the "login" block is not set`, {
      hint: `Export the login's values (${missing.join(', ')}) before running with --profile ${path}.`,
    });
  if (server.authorizeUrl === undefined || server.tokenUrl === undefined)
    profile = withEndpoints(profile, await discoverEndpoints(server.issuer ?? '', fetchFn));
  // The login's values travel with the client, as its secret does: the browser of the run fills them in.
  const login = profile.login === undefined ? {} : { login: loginValues(profile.login, env) };
  data.profiles.set(profile.id, profile);
  data.config = {
    ...data.config,
    clients: { ...data.config.clients, [profile.id]: { clientId: server.clientId, clientSecret: secret, ...login } },
  };
  return profile;
}

/** The provider of a command: the argument, or the id of `--profile`'s file (which it must match if both are given). */
export async function providerFromArgs(
  arg: string | undefined,
  profilePath: string | undefined,
  data: LabData,
  env: Readonly<Record<string, string | undefined>>,
  fetchFn: typeof fetch = globalThis.fetch,
): Promise<string> {
  if (profilePath === undefined) {
    if (arg === undefined)
      throw new UsageError('missing argument "provider"', {
        hint: 'Name a provider (run "codestream-auth providers" to list them) or give --profile <file>.',
      });
    return arg;
  }
  const profile = await addCustomProfile(data, profilePath, env, fetchFn);
  if (arg !== undefined && arg !== profile.id)
    throw new UsageError(`provider "${arg}" is not the id of --profile ${profilePath} ("${profile.id}")`, {
      hint: 'Leave out the provider argument with --profile.',
    });
  return profile.id;
}

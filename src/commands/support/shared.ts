/** What several commands share: loading the lab data, picking a renderer, checking a provider name. */
import type { Deps } from '../../deps.js';
import type { EventSink } from '../../events.js';
import type { FlowDeps } from '../../flows/connect/run.js';
import type { SecretSink } from '../../flows/engine/context.js';
import { UsageError } from '../../errors.js';
import type { LabConfig } from '../../lab/config.js';
import { readFixtureSnapshot } from '../../lab/fixture-snapshot.js';
import type { ProviderProfile } from '../../profiles/profile.js';
import type { OutputLevel, Renderer } from '../../render/index.js';
import { loadRenderer, pickRenderer } from '../../render/pick.js';
import { createSecretRegistry, noRedaction, type SecretRegistry } from '../../util/secrets.js';

export interface OutputFlags {
  json?: boolean;
  showSecrets?: boolean;
  verbose?: boolean;
  quiet?: boolean;
  /** The program's --debug, copied onto the command by src/cli.ts. */
  debug?: boolean;
}

/** -v and -q, as [flags, description] pairs for commander's option(); `--debug` adds timings and error details. */
export const verboseOption = ['-v, --verbose', 'show every check and hop of every step (the full trace)'] as const;
export const quietOption = ['-q, --quiet', 'print only the final line and what failed'] as const;

/** The renderer level of a command's flags. */
export function outputLevel(flags: OutputFlags): OutputLevel {
  if (flags.verbose && flags.quiet) throw new UsageError('--verbose and --quiet contradict each other; pick one');
  if (flags.debug) return 'debug';
  return flags.verbose ? 'verbose' : flags.quiet ? 'quiet' : 'normal';
}

export interface Output {
  renderer: Renderer;
  secrets: SecretRegistry;
}

/** Builds the renderer and the secret registry for a command's flags. */
export async function createOutput(flags: OutputFlags, deps: Deps, data: LabData): Promise<Output> {
  const secrets = createSecrets(flags, data.config);
  const kind = pickRenderer({ json: flags.json, io: deps.io });
  const level = outputLevel(flags);
  const renderer = (await loadRenderer(kind))(deps.io, {
    redact: secrets.redact,
    redactDeep: secrets.redactDeep,
    level,
  });
  return { renderer, secrets };
}

/**
 * The registry of a run, knowing the lab's own credentials from the start: a hop can print an enterprise app's
 * client secret or a signing secret before any step registers it.
 */
export function createSecrets(flags: { showSecrets?: boolean | undefined }, config: LabConfig): SecretRegistry {
  if (flags.showSecrets) return noRedaction;
  const secrets = createSecretRegistry();
  for (const client of Object.values(config.clients)) secrets.add(client.clientSecret);
  for (const team of config.teams)
    for (const hosts of Object.values(team.providerHosts))
      for (const app of Object.values(hosts)) {
        const secret = app.appClientSecret;
        if (typeof secret === 'string') secrets.add(secret);
      }
  for (const env of config.environments)
    for (const secret of Object.values(env.integrations.slack?.signingSecretsByAppIds ?? {})) secrets.add(secret);
  for (const user of config.users) [user.accessToken, user.broadcasterToken].forEach(secrets.add);
  return secrets;
}

export interface LabData {
  config: LabConfig;
  profiles: Map<string, ProviderProfile>;
}

/**
 * The lab config and every provider profile: the build's validated copy while the files are unchanged
 * (src/lab/fixture-snapshot.ts), else read and validated with zod, which then loads.
 */
/** A command's flow dependencies: the lab data, the process's fetch, clock and signal, where events and secrets go. */
export function flowDepsOf(data: LabData, deps: Deps, onEvent: EventSink, secrets: SecretSink): FlowDeps {
  return { ...data, fetch: deps.fetch, now: deps.now, onEvent, secrets, signal: deps.signal };
}

export async function loadLabData(): Promise<LabData> {
  const snapshot = await readFixtureSnapshot();
  if (snapshot !== undefined) return snapshot;
  const [{ loadLabConfig }, { loadProfiles }] = await Promise.all([
    import('../../lab/config.js'),
    import('../../profiles/profile.js'),
  ]);
  const [config, profiles] = await Promise.all([loadLabConfig(), loadProfiles()]);
  return { config, profiles };
}

/**
 * The profile a provider argument names, matched case-insensitively ("GitHub" is github). An unknown one is a
 * usage error that suggests the nearest id and lists the known ones (exit 2).
 */
export function assertKnownProvider(
  provider: string,
  data: LabData,
  predicate: (p: ProviderProfile) => boolean = () => true,
  lacking = 'what this command needs',
): ProviderProfile {
  const profile =
    data.profiles.get(provider) ??
    [...data.profiles.values()].find((p) => p.id.toLowerCase() === provider.toLowerCase());
  const known = [...data.profiles.values()].filter(predicate).map((p) => p.id);
  const hint = `Known providers: ${known.join(', ')}. Run "codestream-auth providers" for details.`;
  if (!profile) {
    const near = nearest(provider, known);
    throw new UsageError(`unknown provider "${provider}"${near === undefined ? '' : ` (did you mean ${near}?)`}`, {
      hint,
    });
  }
  // A provider that exists but lacks the flow is not "unknown": say what it lacks.
  if (!predicate(profile))
    throw new UsageError(`provider "${profile.id}" has no ${lacking}`, {
      hint: hint.replace('Known providers', 'Providers with it'),
    });
  return profile;
}

/** The candidate closest to a typo (edit distance at most a third of its length, at least 2), if any. */
export function nearest(typo: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(typo.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typo.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

// Levenshtein distance, one row at a time.
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      next.push(Math.min(substitute, (row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** The hosts teams registered for a provider (fixtures/lab.json stores dots as "*"), e.g. https://git.example.com. */
export function registeredHosts(provider: string, config: LabConfig): string[] {
  const hosts = config.teams.flatMap((t) => Object.keys(t.providerHosts[provider] ?? {}));
  return [...new Set(hosts.map((h) => h.replaceAll('*', '.')))];
}

/**
 * `--host` is an enterprise provider's server (sent as host=, contract §1.2): refused for other providers and
 * when it is not an http(s) URL, before any work. A well-formed host nobody registered still runs: the API's
 * PRVD-1003 is then the behaviour under test.
 */
export function assertHost(host: string | undefined, profile: ProviderProfile, config: LabConfig): void {
  if (host === undefined) return;
  const enterprise = [...new Set(config.teams.flatMap((t) => Object.keys(t.providerHosts)))];
  if (!profile.enterprise)
    throw new UsageError(`--host is for enterprise providers; "${profile.id}" is not one`, {
      hint: `Enterprise providers with registered hosts: ${enterprise
        .map((id) => `${id} (${registeredHosts(id, config).join(', ')})`)
        .join('; ')}.`,
    });
  let url: URL | undefined;
  try {
    url = new URL(host);
  } catch {
    url = undefined;
  }
  if ((url?.protocol !== 'http:' && url?.protocol !== 'https:') || url.hostname === '')
    throw new UsageError(`--host must be an http(s) URL such as https://git.example.com, not "${host}"`, {
      hint: `Hosts registered for ${profile.id}: ${registeredHosts(profile.id, config).join(', ') || 'none'}.`,
    });
}

/** Narrows a choice flag, as a usage error when it is not one of the allowed values. */
export function choice<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (isOneOf(value, allowed)) return value;
  const folded = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (folded !== undefined) return folded;
  const near = nearest(value, allowed);
  throw new UsageError(
    `${flag} must be one of ${allowed.join(', ')}, not "${value}"${near === undefined ? '' : ` (did you mean ${near}?)`}`,
  );
}

function isOneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return allowed.some((a) => a === value);
}

/** Parses `--envs pd,qa,local-10-1-2-3`. */
export function parseEnvList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('--envs needs at least one environment name, e.g. --envs pd,qa');
  return names;
}

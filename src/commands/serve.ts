/** `codestream-auth serve`: the whole lab for a real browser or IDE, up until Ctrl-C. */
import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { UsageError } from '../errors.js';
import { boxCount, describeLab, formatServeInfo, isLoopbackHost, startServeLab } from '../lab/serve.js';
import { startInspector, type RunningInspector } from '../inspector/index.js';
import type { ProviderProfile } from '../profiles/profile.js';
import { assertKnownProvider, choice, createSecrets, loadLabData, type LabData } from './support/shared.js';
import { formatStartUrls, startRequestLog, startUrls } from './support/serve-log.js';
import { defined } from '../util/defined.js';
import { DEFAULT_RECORD_CAP } from '../util/ring.js';

interface ServeFlags {
  envs?: string;
  providers?: string;
  port?: string;
  host: string;
  publicHost?: string;
  consent?: string;
  successPage?: string;
  routerMode?: string;
  proxyHost?: string;
  json?: boolean;
  inspector: boolean;
  showSecrets?: boolean;
  quiet?: boolean;
  recordCap: string;
}

export function registerServe(program: Command, deps: Deps, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description(
      'start the whole lab (every environment and provider) for your browser or IDE and keep it up until Ctrl-C',
    )
    .option('--envs <names>', 'comma-separated environments (default: all of fixtures/lab.json)')
    .option(
      '--providers <ids>',
      'comma-separated providers (default: every provider with a CodeStream client, and every enterprise provider a team registers a host for)',
    )
    .option(
      '--port <n>',
      'fixed ports n, n+1, … in this order: router, marketing, providers, environments (default: OS-chosen)',
    )
    .option(
      '--host <address>',
      'address to bind; anything but loopback exposes the lab and its tokens to your network',
      '127.0.0.1',
    )
    .option(
      '--public-host <name>',
      'host name or IP the printed URLs, redirects and redirect_uri carry, for other machines (default: --host; 127.0.0.1 for 0.0.0.0 or ::)',
    )
    .option('--consent <mode>', 'page (Approve/Deny in the browser) or auto (approve at once)', 'page')
    .option(
      '--success-page <page>',
      'marketing (/auth-complete, the seed) or api (/web/provider-connected)',
      'marketing',
    )
    .option(
      '--router-mode <mode>',
      "how the auth-origin router delivers callbacks: redirect (302, the seed's nginx) or proxy",
      'redirect',
    )
    .option(
      '--proxy-host <where>',
      "same (the VPN proxy answers on the router's host, the seed today) or separate (its own origin)",
      'same',
    )
    .option('--no-inspector', 'leave out the inspector web page that draws every flow live')
    .option('--show-secrets', 'show tokens whole in the inspector and the request log (shortened by default)')
    .option(
      '--json',
      'print one JSON object with every URL, credential and start URL on stdout once everything listens, then one NDJSON "request" event per request',
    )
    .option('-q, --quiet', 'do not print the requests as they happen')
    .option(
      '--record-cap <n>',
      'entries each server keeps in its journal, request log, signup records and broadcaster history (the newest)',
      String(DEFAULT_RECORD_CAP),
    )
    .action(async (flags: ServeFlags) => {
      const data = await loadLabData();
      const envs = pickEnvs(flags.envs, data);
      const providers = pickProviders(flags.providers, data);
      const routerMode = choice('--router-mode', flags.routerMode, ['redirect', 'proxy'] as const, 'redirect');
      const proxyHost = choice('--proxy-host', flags.proxyHost, ['same', 'separate'] as const, 'same');
      const port =
        flags.port === undefined
          ? undefined
          : parsePort(flags.port, boxCount({ envs, providers, proxyHost, profiles: data.profiles }));
      const consent = choice('--consent', flags.consent, ['page', 'auto'] as const, 'page');
      const successPage = choice('--success-page', flags.successPage, ['marketing', 'api'] as const, 'marketing');
      if (flags.publicHost !== undefined && !/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:]+\]?$/.test(flags.publicHost)) {
        throw new UsageError(`--public-host must be a host name or an IP address, not "${flags.publicHost}"`);
      }
      const recordCap = Number(flags.recordCap);
      if (!Number.isInteger(recordCap) || recordCap < 1)
        throw new UsageError(`--record-cap must be a whole number ≥ 1, not "${flags.recordCap}"`);
      const lab = await startServeLab({
        recordCap,
        ...data,
        envs,
        providers,
        consent,
        successPage,
        host: flags.host,
        ...defined({ publicHost: flags.publicHost }),
        port,
        routerMode,
        proxyHost,
        now: deps.now,
        fetch: deps.fetch,
      });
      let inspector: RunningInspector | undefined;
      let stopLog = (): void => undefined;
      try {
        // Only once the lab listens: a host that cannot be bound is an error, not an exposure to warn about.
        warnIfExposed(flags, deps);
        inspector = flags.inspector
          ? await startInspector(lab, {
              host: flags.host,
              ...defined({ publicHost: flags.publicHost }),
              now: deps.now,
              showSecrets: flags.showSecrets === true,
            })
          : undefined;
        const info = { ...describeLab(lab, consent), ...defined({ inspectorUrl: inspector?.url }), recordCap };
        const start = await startUrls(lab, deps, flags.host);
        deps.io.stdout.write(
          flags.json
            ? `${JSON.stringify({ ...info, start })}\n`
            : `${formatServeInfo(info)}${formatStartUrls(start)}${capsLine(recordCap)}`,
        );
        if (!flags.quiet) {
          const secrets = createSecrets({ showSecrets: flags.showSecrets }, data.config);
          stopLog = startRequestLog(lab, { json: flags.json === true, secrets, deps });
        }
        deps.io.stderr.write(
          `the lab is up; ${flags.quiet ? '' : 'requests are printed as they come; '}press Ctrl-C to stop it\n`,
        );
        await untilAborted(deps.signal);
        setExit(0);
      } finally {
        stopLog();
        deps.io.stderr.write('stopping: closing every server\n');
        await inspector?.close();
        await lab.close();
        deps.io.stderr.write('all servers closed\n');
      }
    });
}

/** What a long-running lab keeps, so nobody is surprised that old entries are gone (issue 14). */
function capsLine(cap: number): string {
  return `\ncaps: each server keeps its newest ${cap} journal entries, requests, signup records and broadcasts (--record-cap)\n`;
}

/** Binding anything but loopback exposes the mock servers and the seeded tokens. */
function warnIfExposed(flags: ServeFlags, deps: Deps): void {
  if (!isLoopbackHost(flags.host)) {
    deps.io.stderr.write(
      `warning: binding "${flags.host}" makes the mock servers and the seeded tokens reachable ` +
        'from other machines\n',
    );
    if (flags.publicHost === undefined && (flags.host === '0.0.0.0' || flags.host === '::')) {
      deps.io.stderr.write(
        'note: the URLs say 127.0.0.1, which only this machine can follow; ' +
          "pass --public-host <this machine's name or IP> for the others\n",
      );
    }
  }
}

// Without a signal (never the case from bin/) the lab simply stays up for the life of the process.
function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function pickEnvs(value: string | undefined, data: LabData): string[] {
  const known = data.config.environments.map((e) => e.name);
  if (value === undefined) return known;
  const envs = list(value);
  for (const env of envs) {
    if (!known.includes(env))
      throw new UsageError(`unknown environment "${env}"`, { hint: `Known environments: ${known.join(', ')}.` });
  }
  if (envs.length === 0)
    throw new UsageError('--envs names no environment', { hint: `Known environments: ${known.join(', ')}.` });
  return envs;
}

// A provider needs a profile and the CodeStream app registered for it: fixtures/lab.json "clients", or for an
// enterprise provider a team's providerHosts entry (each registered host brings its own app).
function pickProviders(value: string | undefined, data: LabData): string[] {
  const servable = (p: ProviderProfile): boolean =>
    p.enterprise
      ? data.config.teams.some((t) => Object.keys(t.providerHosts[p.id] ?? {}).length > 0)
      : data.config.clients[p.id] !== undefined;
  if (value === undefined) return [...data.profiles.values()].filter(servable).map((p) => p.id);
  const providers = list(value).map(
    (id) =>
      assertKnownProvider(
        id,
        data,
        servable,
        "CodeStream app registered in fixtures/lab.json (clients, or a team's providerHosts)",
      ).id,
  );
  if (providers.length === 0) throw new UsageError('--providers names no provider');
  return providers;
}

function parsePort(value: string, count: number): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port + count - 1 > 65535) {
    throw new UsageError(`--port must be a whole number from 1 to ${65536 - count}, not "${value}"`, {
      hint: `The lab takes ${count} consecutive ports from it, e.g. --port 5000.`,
    });
  }
  return port;
}

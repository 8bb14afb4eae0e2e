/**
 * What `serve` shows while it runs: every request the lab answers, as it happens (the way request-logging mock
 * servers and `stripe listen` do), and ready-to-open start URLs for a connect and a sign-up.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApiClient } from '../../agent-sim/api-client.js';
import type { Deps } from '../../deps.js';
import type { Lab } from '../../lab/start-lab.js';
import { LabWatch, type SeenRequest } from '../../lab/watch.js';
import { formatRequestLine, type RequestLogEntry } from '../../render/request-log.js';
import type { SecretRegistry } from '../../util/secrets.js';

/** Starts printing the lab's requests (lines on stderr, or NDJSON on stdout); returns the stop. */
export function startRequestLog(lab: Lab, opts: { json: boolean; secrets: SecretRegistry; deps: Deps }): () => void {
  const names = new Map<string, string>();
  const servers = [
    { name: 'router', box: lab.router },
    { name: 'marketing', box: lab.marketing },
    ...[...lab.providers].map(([id, box]) => ({ name: id, box })),
    ...[...lab.envs].map(([env, box]) => ({ name: `api ${env}`, box })),
  ];
  for (const { name, box } of servers) names.set(new URL(box.url).origin, name);
  const watch = new LabWatch(
    servers.map((s) => s.box),
    opts.deps.now,
    { keep: false },
  );
  watch.subscribe((seen) => {
    const server = names.get(seen.origin) ?? seen.origin;
    const entry: RequestLogEntry = opts.secrets.redactDeep({
      type: 'request',
      at: seen.startedAt,
      actor: actorOf(seen, server, lab),
      server,
      method: seen.method,
      path: seen.query === '' ? seen.path : `${seen.path}?${seen.query}`,
      status: seen.status,
      ms: seen.ms,
      ...(seen.location === undefined ? {} : { location: seen.location }),
    });
    if (opts.json) opts.deps.io.stdout.write(`${JSON.stringify(entry)}\n`);
    else opts.deps.io.stderr.write(`${formatRequestLine(entry)}\n`);
  });
  return () => watch.close();
}

/**
 * Who a request looks like it came from. A guess from what it carries, not a fact: the user agent of a browser or
 * of Slack's and Teams' bots, an IDE's Bearer token on the API, the API's own calls to a provider.
 */
export function actorOf(seen: Pick<SeenRequest, 'requestHeaders'>, server: string, lab: Lab): string {
  const agent = seen.requestHeaders['user-agent'] ?? '';
  if (/Slackbot/.test(agent)) return 'slack';
  if (/BotFramework|Skype/.test(agent)) return 'msteams';
  if (/Mozilla|headless browser/.test(agent)) return 'browser';
  if (lab.providers.has(server)) return 'api';
  if (server.startsWith('api ') && seen.requestHeaders.authorization !== undefined) return 'agent';
  return 'client';
}

/** Ready-to-open start URLs; the connect one carries a pauth code, which expires (10 minutes, contract §1.2). */
export interface StartUrls {
  connect?: { provider: string; url: string; expiresInSeconds: number };
  signup?: { provider: string; url: string; signupToken: string; checkSignup: string };
}

export async function startUrls(lab: Lab, deps: Deps, bindHost: string): Promise<StartUrls> {
  const config = lab.config;
  const env = lab.envs.get(config.defaultEnvironment) ?? [...lab.envs.values()][0];
  const user = config.users.find((u) => u.id === config.defaultUser);
  if (env === undefined || user === undefined) return {};
  const served = [...lab.providers.values()].map((p) => p.profile);
  const connect = served.find((p) => p.id === 'github') ?? served.find((p) => !p.enterprise);
  const signup = served.find((p) => p.supportsSignup && p.identity !== undefined);
  const urls: StartUrls = {};
  if (connect !== undefined) {
    // The printed URLs may carry --public-host, which only other machines resolve: ask the socket serve bound.
    const client = new ApiClient({
      baseUrl: boundOrigin(env.server, bindHost),
      accessToken: user.accessToken,
      fetch: deps.fetch,
      now: deps.now,
    });
    const code = await client.providerAuthCode(config.defaultTeam);
    const url = `${env.url}/web/provider-auth/${connect.id}?code=${encodeURIComponent(code)}`;
    urls.connect = { provider: connect.id, url, expiresInSeconds: 600 };
  }
  if (signup !== undefined) {
    const signupToken = randomUUID();
    urls.signup = {
      provider: signup.id,
      url: `${env.url}/web/provider-auth/${signup.id}?signupToken=${signupToken}`,
      signupToken,
      checkSignup:
        `curl -X PUT ${env.url}/no-auth/check-signup -H 'content-type: application/json' ` +
        `-d '{"token":"${signupToken}"}'`,
    };
  }
  return urls;
}

function boundOrigin(server: Server, bindHost: string): string {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const host = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** The human lines for the start URLs. */
export function formatStartUrls(urls: StartUrls): string {
  const lines: string[] = [];
  if (urls.connect !== undefined)
    lines.push(
      `Connect ${urls.connect.provider} as the seeded user (open within ${urls.connect.expiresInSeconds / 60} minutes):`,
      `  ${urls.connect.url}`,
    );
  if (urls.signup !== undefined)
    lines.push(
      `Sign up with ${urls.signup.provider}, then ask for the login package:`,
      `  ${urls.signup.url}`,
      `  ${urls.signup.checkSignup}`,
    );
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

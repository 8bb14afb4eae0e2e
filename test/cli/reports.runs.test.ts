import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { Deps } from '../../src/deps.js';
import type { FlowEvent } from '../../src/events.js';
import { loadLabConfig } from '../../src/lab/config.js';
import type { Har } from '../../src/render/har.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { visitAndDecide } from '../helpers/scripted-browser.js';

let dir = '';
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'csa-report-runs-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A person at a real browser who approves: the opener fetches the URL and follows every hop, as test/flow.connect-browser does. */
const approvingBrowser = (): Pick<Deps, 'openUrl'> => ({
  openUrl: async (url) => void visitAndDecide(url, 'approve'), // not awaited: the person takes their time
});

/** Runs `argv` through main with --har and --diagram added; the exit code and both files' text. */
async function runWithReports(
  name: string,
  argv: string[],
  extra: Partial<Deps> = {},
): Promise<{ exit: number; har: Har; harText: string; diagram: string; stdout: string }> {
  const harPath = join(dir, `${name}.har`);
  const diagramPath = join(dir, `${name}.mmd`);
  const fake = createFakeDeps();
  const exit = await main([...argv, '--har', harPath, '--diagram', diagramPath], { ...fake.deps, ...extra });
  const harText = await readFile(harPath, 'utf8');
  return {
    exit,
    har: JSON.parse(harText) as Har,
    harText,
    diagram: await readFile(diagramPath, 'utf8'),
    stdout: fake.stdout(),
  };
}

/** Each HAR entry as "METHOD actor path status", e.g. "POST provider /login/oauth/consent 303". */
const hops = (har: Har): string[] =>
  har.log.entries.map((e) => `${e.request.method} ${e._to} ${new URL(e.request.url).pathname} ${e.response.status}`);

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the fields every entry must have.
function expectValidHar(har: Har): void {
  expect(har.log.version).toBe('1.2');
  expect(har.log.creator).toEqual({ name: 'codestream-auth', version: expect.any(String) });
  expect(har.log.entries.length).toBeGreaterThan(0);
  for (const e of har.log.entries) {
    expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
    expect(e.time).toBeGreaterThanOrEqual(0);
    expect(e.time).toBe(e.timings.send + e.timings.wait + e.timings.receive);
    expect(e.request).toMatchObject({
      method: expect.any(String),
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      httpVersion: 'HTTP/1.1',
    });
    expect(
      Array.isArray(e.request.headers) && Array.isArray(e.request.cookies) && Array.isArray(e.request.queryString),
    ).toBe(true);
    expect(e.response).toMatchObject({
      status: expect.any(Number),
      statusText: expect.any(String),
      redirectURL: expect.any(String),
      content: { size: expect.any(Number), mimeType: expect.any(String) },
    });
    expect(e.cache).toEqual({});
  }
  const started = har.log.entries.map((e) => Date.parse(e.startedDateTime));
  expect(started).toEqual([...started].sort((a, b) => a - b));
}

// The browser's whole leg with a consent page: start, authorize (the page), the Approve POST, router, API callback, landing.
const BROWSER_LEG = [
  'GET api /web/provider-auth/github 302',
  'GET provider /login/oauth/authorize 200',
  'POST provider /login/oauth/authorize/consent 303',
  'GET router /no-auth/provider-token/github 302',
  'GET api /no-auth/provider-token/github 302',
  'GET marketing /auth-complete/github 200',
];

describe('--har and --diagram with a real browser (scripted person)', () => {
  it('connect --browser lists every browser hop in the HAR and draws the provider, the exchange and the broadcast', async () => {
    const run = await runWithReports('connect-browser', ['connect', 'github', '--browser'], approvingBrowser());
    expect(run.exit).toBe(0);
    expectValidHar(run.har);
    expect(hops(run.har)).toEqual(BROWSER_LEG);
    const consent = run.har.log.entries[2];
    expect(consent?.response.redirectURL).toMatch(/\/no-auth\/provider-token\/github\?code=/);
    expect(run.diagram).toMatch(/^ {2}browser->>provider: GET \/login\/oauth\/authorize\?/m);
    expect(run.diagram).toMatch(/^ {2}provider-->>browser: 303 → 127\.0\.0\.1:\d+\/no-auth\/provider-token\/github/m);
    expect(run.diagram).toMatch(/^ {2}browser->>router: GET \/no-auth\/provider-token\/github/m);
    expect(run.diagram).toMatch(/^ {2}api->>provider: POST \/login\/oauth\/access_token/m);
    expect(run.diagram).toMatch(/^ {2}broadcaster-\)agent: user-dana directive v\d+→\d+ \(live\)/m);
    // The exchange happened while the API answered the callback, so it is drawn inside that hop.
    const lines = run.diagram.split('\n');
    const callback = lines.findIndex((l) => l.startsWith('  browser->>api: GET /no-auth/provider-token/github'));
    const exchange = lines.findIndex((l) => l.startsWith('  api->>provider: POST /login/oauth/access_token'));
    expect([
      callback >= 0,
      exchange === callback + 1,
      lines[exchange + 1]?.startsWith('  provider-->>api: 200'),
      lines[exchange + 2]?.startsWith('  api-->>browser: 302 → '),
    ]).toEqual([true, true, true, true]);
  });

  it('signup --browser lists the browser hops (no check-signup polls) and draws the exchange and identity calls', async () => {
    const run = await runWithReports(
      'signup-browser',
      ['signup', 'github', '--browser', '--interval', '20'],
      approvingBrowser(),
    );
    expect(run.exit).toBe(0);
    expectValidHar(run.har);
    expect(hops(run.har)).toEqual(BROWSER_LEG);
    expect(new URL(run.har.log.entries[0]?.request.url ?? '').searchParams.get('signupToken')).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(run.diagram).toMatch(/^ {2}browser->>provider: POST \/login\/oauth\/authorize\/consent/m);
    expect(run.diagram).toMatch(/^ {2}api->>provider: POST \/login\/oauth\/access_token/m);
    expect(run.diagram).toMatch(/^ {2}api->>provider: GET \/user$/m);
    expect(run.diagram).toMatch(/^ {2}api->>provider: GET \/user\/emails$/m);
  });
});

describe('--diagram of headless runs', () => {
  it("a plain connect draws the API's code exchange inside the callback and the broadcast to the agent", async () => {
    const run = await runWithReports('connect', ['connect', 'github']);
    expect(run.exit).toBe(0);
    const lines = run.diagram.split('\n');
    const callback = lines.findIndex((l) => l.startsWith('  browser->>api: GET /no-auth/provider-token/github'));
    const exchange = lines.findIndex((l) => l.startsWith('  api->>provider: POST /login/oauth/access_token'));
    expect([
      callback >= 0,
      exchange === callback + 1,
      lines[exchange + 1]?.startsWith('  provider-->>api: 200'),
    ]).toEqual([true, true, true]);
    expect(run.diagram).toMatch(/^ {2}broadcaster-\)agent: user-dana directive v\d+→\d+ \(live\)$/m);
  });

  it('a sign-up draws the exchange and the identity calls', async () => {
    const run = await runWithReports('signup', ['signup', 'github', '--poll', '--interval', '20']);
    expect(run.exit).toBe(0);
    expect(run.diagram).toMatch(/^ {2}api->>provider: POST \/login\/oauth\/access_token/m);
    expect(run.diagram).toMatch(/^ {2}api->>provider: GET \/user$/m);
  });

  it("a refresh draws the refresh grant inside the agent's GET /provider-refresh, and both broadcasts", async () => {
    const run = await runWithReports('refresh', ['refresh', 'gitlab']);
    expect(run.exit).toBe(0);
    const lines = run.diagram.split('\n');
    const refresh = lines.findIndex((l) => l.startsWith('  agent->>api: GET /provider-refresh/gitlab'));
    expect(refresh).toBeGreaterThan(0);
    expect(lines[refresh + 1]).toMatch(/^ {2}api->>provider: POST \/oauth\/token/);
    expect(lines.filter((l) => l.startsWith('  broadcaster-)agent: '))).toHaveLength(2);
  });

  it('disconnect takes --har and --diagram and draws the deauth broadcast', async () => {
    const run = await runWithReports('disconnect', ['disconnect', 'github']);
    expect(run.exit).toBe(0);
    expect(run.har.log.entries.map((e) => e._to)).toEqual(['api', 'provider', 'router', 'api', 'marketing']);
    expect(run.diagram).toMatch(/^ {2}agent->>api: PUT \/provider-deauth\/github$/m);
    expect(run.diagram.split('\n').filter((l) => l.startsWith('  broadcaster-)agent: '))).toHaveLength(2);
  });

  it('interact takes --har and --diagram and draws the provider → proxy → environment hops', async () => {
    const run = await runWithReports('interact', ['interact', 'slack']);
    expect(run.exit).toBe(0);
    // No browser in a provider-initiated call: the HAR holds the provider's call, the diagram no browser or router.
    expect(run.har.log.entries.map((e) => `${e.request.method} ${new URL(e.request.url).pathname}`)).toEqual([
      'POST /no-auth/provider-action/slack',
    ]);
    expect(run.diagram).not.toMatch(/participant (browser|router) /);
    expect(run.diagram).toMatch(/^ {2}provider->>proxy: POST /m);
    expect(run.diagram).toMatch(/^ {2}proxy->>api: POST /m);
    expect(run.diagram).toMatch(/^ {2}broadcaster-\)agent: user-dana message \(live\)/m);
  });
});

describe('secrets in the report files', () => {
  const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/;
  const GITHUB_TOKEN = /gho_[0-9a-f]{40}/;

  it('shortens JWTs, provider tokens and client secrets unless --show-secrets', async () => {
    const secret = (await loadLabConfig()).clients.github?.clientSecret ?? '';
    expect(secret.length).toBeGreaterThan(8);
    const hidden = await runWithReports('redacted', ['connect', 'github', '--json']);
    const shown = await runWithReports('shown', ['connect', 'github', '--json', '--show-secrets']);
    expect([hidden.exit, shown.exit]).toEqual([0, 0]);
    for (const text of [hidden.harText, hidden.diagram, hidden.stdout]) {
      expect(text).not.toMatch(JWT);
      expect(text).not.toMatch(GITHUB_TOKEN);
      expect(text).not.toContain(secret);
    }
    // The same run with --show-secrets: the pauth and the state's JWT are in the HAR's URLs, GitHub's exchange
    // sends the client secret in its query (drawn in the diagram), and the token is in the events.
    expect(shown.harText).toMatch(JWT);
    expect(shown.diagram).toContain(`client_secret=${secret}`);
    expect(shown.stdout).toMatch(GITHUB_TOKEN);
    const events = shown.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowEvent);
    expect(events.some((e) => e.type === 'http' && e.from === 'api' && e.url.includes(`client_secret=${secret}`))).toBe(
      true,
    );
  });
});

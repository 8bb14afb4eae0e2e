import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { runConnect } from '../../src/flows/connect/run.js';
import { runScenario, scenarioCatalogue, type Scenario } from '../../src/flows/scenarios/index.js';
import type { CellResult, SmokeReport } from '../../src/flows/smoke/matrix.js';
import { createHar } from '../../src/render/har.js';
import { renderJunit } from '../../src/render/junit.js';
import { renderMarkdown } from '../../src/render/markdown.js';
import { renderMermaid } from '../../src/render/mermaid.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { flowDeps } from '../helpers/lab.js';
import { parseXml } from '../helpers/xml.js';

let dir = '';
beforeAll(async () => void (dir = await mkdtemp(join(tmpdir(), 'csa-reports-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

const httpEvents = (events: FlowEvent[]) =>
  events.filter((e): e is Extract<FlowEvent, { type: 'http' }> => e.type === 'http');

describe('HAR 1.2', () => {
  it('lists every browser hop, in order, with the fields HAR 1.2 requires', async () => {
    const deps = await flowDeps();
    const { context } = await runConnect({ provider: 'github' }, deps);
    const har = JSON.parse(JSON.stringify(createHar(deps.events, { creatorVersion: '9.9.9' }))) as ReturnType<
      typeof createHar
    >;
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'codestream-auth', version: '9.9.9' });
    expect(har.log.entries.map((e) => e.request.url)).toEqual(context.browser.hops.map((h) => h.url));
    for (const [i, e] of har.log.entries.entries()) {
      const hop = context.browser.hops[i];
      expect(new Date(e.startedDateTime).toISOString()).toBe(e.startedDateTime);
      expect(e.time).toBe(e.timings.send + e.timings.wait + e.timings.receive);
      expect(e.request).toMatchObject({ method: 'GET', httpVersion: 'HTTP/1.1', headersSize: -1, bodySize: 0 });
      expect(
        Array.isArray(e.request.cookies) && Array.isArray(e.request.headers) && Array.isArray(e.request.queryString),
      ).toBe(true);
      expect(e.request.queryString).toEqual(
        [...new URL(e.request.url).searchParams].map(([name, value]) => ({ name, value })),
      );
      expect(e.response).toMatchObject({
        status: hop?.status,
        httpVersion: 'HTTP/1.1',
        redirectURL: hop?.location ?? '',
        headersSize: -1,
      });
      expect(typeof e.response.statusText).toBe('string');
      expect(e.response.content.size).toBe(e.response.bodySize);
      expect(typeof e.response.content.mimeType).toBe('string');
      expect(e.cache).toEqual({});
    }
    expect(har.log.entries.map((e) => e._to)).toEqual(['api', 'provider', 'router', 'api', 'marketing']);
  });

  it('shortens secrets when given the redaction', async () => {
    const deps = await flowDeps();
    await runConnect({ provider: 'github' }, deps);
    const text = JSON.stringify(
      createHar(deps.events, {
        creatorVersion: '1',
        redactDeep: (v) => JSON.parse(JSON.stringify(v).replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, 'JWT…')),
      }),
    );
    expect(text).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});

describe('Mermaid sequence diagram', () => {
  it('draws every hop and the failed step of a run', async () => {
    const broken: Scenario = {
      ...(scenarioCatalogue.find((s) => s.name === 'exchange-invalid-grant') as Scenario),
      expect: { outcome: 'connected', delivery: 'live' },
    };
    const deps = await flowDeps();
    const result = await runScenario(broken, {}, deps);
    expect(result.outcome?.failedStep).toBe('callback');
    const text = renderMermaid(deps.events);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    for (const p of [
      'webview as Webview',
      'agent as Agent',
      'browser as Browser',
      'api as CS API',
      'router as Router',
      'provider as Provider',
      'broadcaster as Broadcaster',
    ]) {
      expect(lines).toContain(`  participant ${p}`);
    }
    expect(lines.filter((l) => /^ {2}\w+->>\w+: /.test(l))).toHaveLength(httpEvents(deps.events).length + 1); // + webview→agent
    expect(lines.filter((l) => /^ {2}\w+-->>\w+: /.test(l))).toHaveLength(httpEvents(deps.events).length + 1); // + agent→webview
    expect(text).toContain('browser->>router: GET /no-auth/provider-token/github?code=');
    expect(text).toMatch(/Note over webview,broadcaster: ✖ .* failed \[CHECK_FAILED\]/);
    // The API's exchange, reported by the step that failed, sits inside the callback hop that caused it.
    const callback = lines.findIndex((l) => l.startsWith('  browser->>api: GET /no-auth/provider-token/github'));
    const exchange = lines.findIndex((l) => l.startsWith('  api->>provider: POST /login/oauth/access_token'));
    const answer = lines.findIndex((l) => l.startsWith('  api-->>browser: 302 → /web/error'));
    expect(callback).toBeGreaterThan(0);
    expect([
      callback < exchange,
      lines[exchange + 1]?.startsWith('  provider-->>api: 200'),
      exchange + 1 < answer,
    ]).toEqual([true, true, true]);
    expect(text).toContain('agent-->>webview: connect failed at callback');
    // Mermaid ends statements at ";": none may appear inside a label.
    for (const l of lines) expect(l.replace(/#\d+;/g, '')).not.toContain(';');
  });

  it('shows broadcast deliveries, including dropped duplicates', async () => {
    const deps = await flowDeps();
    const result = await runScenario(
      scenarioCatalogue.find((s) => s.name === 'duplicate-broadcast') as Scenario,
      {},
      deps,
    );
    expect(result.ok).toBe(true);
    const text = renderMermaid(deps.events);
    expect(text).toMatch(/broadcaster-\)agent: user-dana directive v\d+→\d+ \(live\)/);
    expect(text).toMatch(/broadcaster-\)agent: user-dana directive v\d+→\d+ \(duplicate, dropped\)/);
  });
});

function cellOf(status: CellResult['status'], extra: Partial<CellResult> = {}): CellResult {
  return {
    cell: {
      id: `connect/github/${status}`,
      suite: 'connect',
      classname: 'smoke.connect.github',
      name: status,
      flow: 'connect',
      provider: 'github',
      env: 'local',
    },
    status,
    ms: 12,
    events: [],
    ...extra,
  };
}

describe('JUnit and Markdown', () => {
  const nasty = 'expected "<b>&\'</b>" \u0007 got ]]> x';
  const report: SmokeReport = {
    startedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
    ms: 1234,
    results: [
      cellOf('passed'),
      cellOf('failed', {
        failedStep: 'callback',
        stepTitle: 'API | exchanges',
        check: { name: 'code', expected: nasty, actual: '"x"' },
        error: { code: 'CHECK_FAILED', message: 'm' },
      }),
      cellOf('skipped', { skipReason: 'needs "a" <second> provider' }),
    ],
    counts: { tests: 3, passed: 1, failed: 1, skipped: 1 },
  };

  it('escapes what XML cannot hold and keeps the text', () => {
    const root = parseXml(renderJunit(report));
    const cases = root.children.flatMap((s) => s.children);
    const failure = cases[1]?.children[0];
    expect(failure?.attrs.message).toBe(
      `step callback (API | exchanges): code: expected ${nasty.replace('\u0007', '\uFFFD')}, got "x"`,
    );
    expect(cases[2]?.children[0]?.attrs.message).toBe('needs "a" <second> provider');
    expect(root.attrs).toMatchObject({
      tests: '3',
      failures: '1',
      skipped: '1',
      errors: '0',
      time: '1.234',
      timestamp: '2026-01-02T03:04:05',
    });
  });

  it('writes a Markdown summary whose table cells cannot break the table', () => {
    const md = renderMarkdown(report);
    expect(md).toMatch(/^## codestream-auth smoke: ❌ failed$/m);
    expect(md).toContain('3 cells: 1 passed, 1 failed, 1 skipped in 1.2 s.');
    const rows = md.split('\n').filter((l) => l.startsWith('| connect'));
    expect(rows).toHaveLength(4); // the failed cell first, then all three inside <details>
    expect(md).toContain('<details><summary>All 3 cells</summary>\n\n| Cell |');
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(8);
    expect(md).toContain('### ❌ connect (github, local)');
  });
});

describe('--har and --diagram on the flow commands', () => {
  it('writes both files for a connect, listing every browser hop of the run', async () => {
    const har = join(dir, 'connect.har');
    const diagram = join(dir, 'connect.mmd');
    const fake = createFakeDeps();
    expect(await main(['connect', 'github', '--json', '--har', har, '--diagram', diagram], fake.deps)).toBe(0);
    const events = fake
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FlowEvent);
    const browserHops = httpEvents(events).filter((e) => e.from === 'browser');
    const parsed = JSON.parse(await readFile(har, 'utf8')) as ReturnType<typeof createHar>;
    expect(parsed.log.entries.map((e) => e.request.url)).toEqual(browserHops.map((e) => e.url));
    expect(await readFile(diagram, 'utf8')).toMatch(/^sequenceDiagram\n/);
    expect(fake.stderr()).toContain(`wrote ${har}\n`);
  });

  it('runs a sign-up scenario with --scenario and writes its diagram', async () => {
    const diagram = join(dir, 'signup.mmd');
    const fake = createFakeDeps();
    expect(await main(['signup', 'github', '--scenario', 'no-signup-no-match', '--diagram', diagram], fake.deps)).toBe(
      0,
    );
    expect(await readFile(diagram, 'utf8')).toContain('LoginResult SIGNUP_REQUIRED');
  });

  it.each([
    [['connect', 'github', '--scenario', 'nope'], 2, 'unknown scenario "nope"'],
    [['connect', 'github', '--scenario', 'slow-user-signup'], 2, 'is a signup scenario'],
    [['connect', 'github', '--scenario', 'consent-denied', '--browser'], 2, 'leave out --browser'],
    [['signup', 'github', '--scenario', 'consent-denied'], 2, 'is a connect scenario'],
  ])('refuses %j with exit %i', async (argv, exit, message) => {
    const fake = createFakeDeps();
    expect(await main(argv, fake.deps)).toBe(exit);
    expect(fake.stderr()).toContain(message);
  });

  it('exits 0 when the system behaves as the scenario expects', async () => {
    const fake = createFakeDeps();
    expect(await main(['connect', 'github', '--scenario', 'unknown-environment'], fake.deps)).toBe(0);
    expect(fake.stderr()).toContain('scenario unknown-environment');
  });
});

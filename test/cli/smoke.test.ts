import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSmokeCommand } from '../../src/commands/smoke.js';
import { scenarioCatalogue, type Scenario } from '../../src/flows/scenarios/index.js';
import { defaultSmokeFlows } from '../../src/commands/support/lab-runs.js';
import { planSmoke, runSmoke, type SmokeReport } from '../../src/flows/smoke/matrix.js';
import { renderJunit } from '../../src/render/junit.js';
import { createSecretRegistry } from '../../src/util/secrets.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { labData } from '../helpers/lab.js';
import { parseXml, type XmlElement } from '../helpers/xml.js';

const byName = (name: string): Scenario => scenarioCatalogue.find((s) => s.name === name) as Scenario;

// consent-denied with a code the system never produces: its run must fail, and smoke must say where.
const brokenConsent: Scenario = {
  ...byName('consent-denied'),
  expect: { outcome: 'web-error', from: 'authorize', code: 'RAPI-1010', state: true },
};

async function engineDeps(catalogue: readonly Scenario[] = scenarioCatalogue) {
  const { config, profiles } = await labData();
  return {
    config,
    profiles,
    fetch: globalThis.fetch,
    now: Date.now,
    secrets: createSecretRegistry(),
    flows: defaultSmokeFlows(),
    catalogue,
  };
}

/** Checks the document is what CI tools read: nesting, required attributes, counts matching children. */
function assertJunitShape(root: XmlElement): { tests: number; failures: number; skipped: number } {
  expect(root.name).toBe('testsuites');
  const total = { tests: 0, failures: 0, skipped: 0 };
  for (const suite of root.children) {
    expect(suite.name).toBe('testsuite');
    expect(suite.attrs.name).toBeTruthy();
    const cases = suite.children;
    const failures = cases.filter((c) => c.children.some((x) => x.name === 'failure')).length;
    const skipped = cases.filter((c) => c.children.some((x) => x.name === 'skipped')).length;
    expect(Number(suite.attrs.tests)).toBe(cases.length);
    expect(Number(suite.attrs.failures)).toBe(failures);
    expect(Number(suite.attrs.skipped)).toBe(skipped);
    expect(suite.attrs.errors).toBe('0');
    for (const c of cases) {
      expect(c.name).toBe('testcase');
      expect(c.attrs.classname).toMatch(/^smoke\./);
      expect(c.attrs.name).toBeTruthy();
      expect(Number.isFinite(Number(c.attrs.time))).toBe(true);
      expect(c.children.length).toBeLessThanOrEqual(1);
      for (const x of c.children) expect(['failure', 'skipped']).toContain(x.name);
    }
    total.tests += cases.length;
    total.failures += failures;
    total.skipped += skipped;
  }
  expect(Number(root.attrs.tests)).toBe(total.tests);
  expect(Number(root.attrs.failures)).toBe(total.failures);
  expect(Number(root.attrs.skipped)).toBe(total.skipped);
  return total;
}

describe('smoke matrix', () => {
  it('plans every provider profile × each flow it supports × two environments, plus every scenario', async () => {
    const deps = await engineDeps();
    const cells = planSmoke({}, deps);
    const providers = [...deps.profiles.keys()];
    expect(cells.filter((c) => c.suite === 'connect')).toHaveLength(providers.length * 2);
    const signIn = providers.filter(
      (id) =>
        deps.profiles.get(id)?.supportsSignup &&
        deps.profiles.get(id)?.identity !== undefined &&
        deps.config.clients[id] !== undefined,
    );
    expect(signIn.length).toBeGreaterThan(0);
    expect(cells.filter((c) => c.suite === 'signup').map((c) => c.provider)).toEqual(signIn.flatMap((p) => [p, p]));
    expect(new Set(cells.filter((c) => c.suite === 'connect').map((c) => c.env))).toEqual(new Set(['local', 'pd']));
    expect(cells.filter((c) => c.suite === 'scenarios').map((c) => c.name)).toEqual(
      scenarioCatalogue.map((s) => s.name),
    );
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
  });

  it.each([
    [{ providers: ['gitlb'] }, /--providers: unknown "gitlb"/],
    [{ envs: ['mars'] }, /--envs: unknown "mars"/],
    [{ scenarios: ['nope'] }, /--scenarios: unknown "nope"/],
    [{ flows: ['login'] as never }, /--flows: unknown "login"/],
    [
      { providers: ['jira'], flows: ['signup'] as const, scenarios: 'none' as const },
      /the options select no cell to run/,
    ],
  ])('refuses unknown names in %j as a usage error', async (opts, message) => {
    const deps = await engineDeps();
    expect(() => planSmoke(opts, deps)).toThrow(message);
  });

  it('fails the cell whose expectation is broken, naming the step and expected vs actual, and passes the others', async () => {
    const deps = await engineDeps([brokenConsent, byName('exchange-invalid-grant')]);
    const report = await runSmoke({ providers: ['github'], envs: ['local'], flows: ['connect'] }, deps);
    expect(report.counts).toEqual({ tests: 3, passed: 2, failed: 1, skipped: 0 });
    const failed = report.results.find((r) => r.status === 'failed');
    expect(failed).toMatchObject({
      cell: { id: 'scenario/consent-denied' },
      failedStep: 'authorize',
      check: { name: '/web/error code', expected: '"RAPI-1010"', actual: '"access_denied"' },
    });
  });

  it('writes JUnit whose structure and counts match the cells, with the failure message naming step, expected and actual', async () => {
    const deps = await engineDeps([brokenConsent, byName('duplicate-broadcast')]);
    const report: SmokeReport = await runSmoke(
      { providers: ['github'], envs: ['local', 'pd'], flows: ['connect'] },
      deps,
    );
    // Names the cells (and the check) when another one fails too, so a CI log says which.
    expect(
      report.results
        .filter((r) => r.status !== 'passed')
        .map((r) => `${r.cell.id}: ${r.failedStep ?? ''} ${JSON.stringify(r.check ?? r.error ?? null)}`),
    ).toEqual([
      'scenario/consent-denied: authorize {"name":"/web/error code","expected":"\\"RAPI-1010\\"","actual":"\\"access_denied\\""}',
    ]);
    const root = parseXml(renderJunit(report));
    expect(assertJunitShape(root)).toEqual({ tests: 4, failures: 1, skipped: 0 });
    const failure = root.children.flatMap((s) => s.children).find((c) => c.attrs.name === 'consent-denied')
      ?.children[0];
    expect(failure?.name).toBe('failure');
    expect(failure?.attrs.message).toBe(
      'step authorize (Browser ends on /web/error with code RAPI-1010): /web/error code: expected "RAPI-1010", got "access_denied"',
    );
    expect(failure?.text).toContain('injects: the provider answers authorize with error=access_denied');
  });

  it('reports the cells Ctrl-C cut short as skipped (interrupted), not failed', async () => {
    const controller = new AbortController();
    controller.abort();
    const deps = { ...(await engineDeps([byName('consent-denied')])), signal: controller.signal };
    const report = await runSmoke({ providers: ['github'], envs: ['local'], flows: ['connect'] }, deps);
    expect(report.counts).toEqual({ tests: 2, passed: 0, failed: 0, skipped: 2 });
    expect(report.results.map((r) => r.skipReason)).toEqual(['interrupted', 'interrupted']);
  });

  it('reports an unmet requirement as a skipped testcase', async () => {
    const deps = await engineDeps([{ ...byName('mix-up'), requires: ['second-provider'] }]);
    const lonely = {
      ...deps,
      config: {
        ...deps.config,
        clients: { github: deps.config.clients.github as NonNullable<typeof deps.config.clients.github> },
      },
    };
    const report = await runSmoke({ providers: ['github'], envs: ['local'], flows: [] }, lonely);
    expect(report.counts).toEqual({ tests: 1, passed: 0, failed: 0, skipped: 1 });
    expect(assertJunitShape(parseXml(renderJunit(report))).skipped).toBe(1);
  });
});

describe('smoke command', () => {
  it('exits 1 and names the failing cell when a scenario expectation is broken', async () => {
    const fake = createFakeDeps();
    const code = await runSmokeCommand(
      { providers: 'github', envs: 'local', flows: 'connect', reporter: 'junit' },
      fake.deps,
      { catalogue: [brokenConsent] },
    );
    expect(code).toBe(1);
    expect(fake.stderr()).toContain('✖ scenario/consent-denied');
    expect(fake.stderr()).toContain('failed: scenario/consent-denied\n');
    expect(fake.stderr()).toMatch(/smoke: 1 passed, 1 failed, 0 skipped/);
    expect(assertJunitShape(parseXml(fake.stdout()))).toEqual({ tests: 2, failures: 1, skipped: 0 });
  });

  it('exits 0 when every cell passes, with a JSON report on stdout', async () => {
    const fake = createFakeDeps();
    const code = await runSmokeCommand(
      {
        providers: 'github',
        envs: 'local',
        scenarios: 'lost-broadcast-history,signup-token-reused,code-replay',
        reporter: 'json',
      },
      fake.deps,
    );
    const json = JSON.parse(fake.stdout()) as {
      ok: boolean;
      counts: unknown;
      cells: Array<{ id: string; status: string }>;
    };
    expect({ code, ok: json.ok, counts: json.counts }).toEqual({
      code: 0,
      ok: true,
      counts: { tests: 5, passed: 5, failed: 0, skipped: 0 },
    });
    // Flow cells first, then scenario cells in the catalogue's order, whatever order --scenarios names them in.
    expect(json.cells.map((c) => c.id)).toEqual([
      'connect/github/local',
      'signup/github/local',
      'scenario/code-replay',
      'scenario/lost-broadcast-history',
      'scenario/signup-token-reused',
    ]);
  });

  it('writes the report to --out and appends the Markdown summary to --summary, as CI does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'smoke-cmd-'));
    try {
      const out = join(dir, 'smoke.xml');
      const summary = join(dir, 'summary.md');
      await writeFile(summary, '# earlier steps\n');
      const fake = createFakeDeps();
      const code = await runSmokeCommand(
        { providers: 'github', envs: 'local', flows: 'connect', reporter: 'junit', out, summary },
        fake.deps,
        { catalogue: [brokenConsent] },
      );
      expect(code).toBe(1);
      expect(fake.stdout()).toBe('');
      expect(fake.stderr()).toContain(`wrote junit report to ${out}\n`);
      expect(assertJunitShape(parseXml(await readFile(out, 'utf8')))).toEqual({ tests: 2, failures: 1, skipped: 0 });
      const md = await readFile(summary, 'utf8');
      expect(md.startsWith('# earlier steps\n## codestream-auth smoke: ❌ failed\n')).toBe(true);
      expect(md).toContain('### ❌ scenario `consent-denied` (github, local)');
      expect(md).toMatch(/```mermaid\nsequenceDiagram\n[\s\S]+```/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['--concurrency', { concurrency: '0' }],
    ['--reporter', { reporter: 'tap' }],
  ])('refuses a bad %s as a usage error', async (_flag, flags) => {
    await expect(runSmokeCommand(flags, createFakeDeps().deps)).rejects.toMatchObject({ code: 'USAGE' });
  });
});

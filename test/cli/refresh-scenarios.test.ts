/**
 * Refresh failure scenarios (contract §1.8, failure mode 38) on the scenario engine: every refusal reaches
 * the agent as RAPI-1009, and nothing is stored, broadcast or delivered because of it.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { runScenario, scenarioCatalogue, type Scenario } from '../../src/flows/scenarios/index.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { flowDeps, labData } from '../helpers/lab.js';

const byName = (name: string): Scenario => scenarioCatalogue.find((s) => s.name === name) as Scenario;
const { profiles } = await labData();
const refreshable = [...profiles.values()].filter((p) => p.supportsRefresh && p.token !== undefined).map((p) => p.id);
const withoutRefresh = [...profiles.values()].filter((p) => !p.supportsRefresh).map((p) => p.id);

describe.concurrent('refresh-rejected holds for every provider with refresh support (its own refusal status)', () => {
  it.for(refreshable)('%s', async (provider) => {
    const deps = await flowDeps();
    const result = await runScenario(byName('refresh-rejected'), { provider }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(result.ok).toBe(true);
    const refused = deps.events.find((e) => e.type === 'step-succeeded' && e.step === 'refresh-call');
    const status = profiles.get(provider)?.token?.refresh.errorStatus ?? 400;
    expect(refused).toMatchObject({
      detail: `403 RAPI-1009: token endpoint answered ${status} with error "${profiles.get(provider)?.token?.errorNames.invalidGrant}"`,
    });
  });
});

describe.concurrent('refresh-unsupported holds for every provider without refresh support', () => {
  it.for(withoutRefresh)('%s', async (provider) => {
    const deps = await flowDeps();
    const result = await runScenario(byName('refresh-unsupported'), { provider }, deps);
    expect(deps.events.filter((e) => e.type === 'check-failed')).toEqual([]);
    expect(result.ok).toBe(true);
  });
});

describe.concurrent('refresh scenarios can fail', () => {
  it('fails refresh-rejected without its fault: the refresh then succeeds', async () => {
    const deps = await flowDeps();
    const result = await runScenario({ ...byName('refresh-rejected'), injections: [] }, {}, deps);
    expect(result.ok).toBe(false);
    expect(result.outcome?.failedStep).toBe('refresh-call');
  });

  it("fails when the fault is queued before the connect: the connect's exchange takes it", async () => {
    const deps = await flowDeps();
    const early: Scenario['injections'] = [
      { kind: 'provider-fault', endpoint: 'token', fault: { kind: 'oauth-error', error: 'invalid_grant' } },
    ];
    const result = await runScenario({ ...byName('refresh-rejected'), injections: early }, {}, deps);
    expect(result.ok).toBe(false);
    expect(result.outcome?.failedStep).toBe('callback');
  });

  it('skips each scenario for providers it is not about, saying why', async () => {
    const deps = await flowDeps();
    expect(await runScenario(byName('refresh-rejected'), { provider: 'github' }, deps)).toMatchObject({
      ok: false,
      skipped: 'provider "github" has no refresh support',
    });
    expect(await runScenario(byName('refresh-unsupported'), { provider: 'jira' }, deps)).toMatchObject({
      ok: false,
      skipped: 'provider "jira" supports refresh',
    });
  });
});

describe('codestream-auth refresh --scenario', () => {
  it('exits 0 when the refusal is as expected, also for a provider without refresh support', async () => {
    const fake = createFakeDeps();
    expect(await main(['refresh', 'github', '--scenario', 'refresh-unsupported'], fake.deps)).toBe(0);
    expect(fake.stderr()).toContain("The API refuses the agent's refresh with 403 RAPI-1009");
    const jira = createFakeDeps();
    expect(await main(['refresh', 'jira', '--scenario', 'refresh-rejected', '--json'], jira.deps)).toBe(0);
    expect(JSON.parse(jira.stdout().trim().split('\n').at(-1) ?? '{}')).toMatchObject({
      type: 'flow-finished',
      ok: true,
      flow: 'refresh',
    });
  });

  it.each([
    [
      ['refresh', 'jira', '--scenario', 'refresh-unsupported'],
      'cannot run with provider "jira": provider "jira" supports refresh',
    ],
    [['refresh', 'github', '--scenario', 'consent-denied'], 'scenario "consent-denied" is a connect scenario'],
    [['refresh', 'github'], 'provider "github" has no refresh support'],
  ])('%j is a usage error', async (argv, message) => {
    const fake = createFakeDeps();
    expect(await main(argv, fake.deps)).toBe(2);
    expect(fake.stderr()).toContain(message);
  });
});

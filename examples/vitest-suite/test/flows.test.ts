// One lab for this file (codestream-auth/vitest starts it on first use and closes it after the last test);
// the tests run concurrently on it, each flow correlated by its own code, state and user.
import { describe, expect } from 'vitest';
import { runConnect, runInteract, runScenario, runSignup, type FlowEvent } from 'codestream-auth';
import { labTest } from 'codestream-auth/vitest';

const providers = ['github', 'gitlab', 'bitbucket', 'linear'] as const;
const test = labTest({ providers: [...providers, 'okta'], envs: ['local', 'pd'] });

describe.concurrent('codestream-auth from a project suite', () => {
  test.for(providers)('connects %s', async (provider, { lab }) => {
    const run = await runConnect(lab, { provider });
    expect(run.failedStep).toBeUndefined();
    expect(run.ok).toBe(true);
    expect(run.result.tokenDelivered).toBe(true);
  });

  test('signs up with github in pd, streaming events', async ({ lab }) => {
    const steps: string[] = [];
    const onEvent = (e: FlowEvent) => void (e.type === 'step-succeeded' && steps.push(e.step));
    const run = await runSignup(lab, { provider: 'github', env: 'pd', onEvent });
    expect(run.ok).toBe(true);
    expect(steps.length).toBeGreaterThan(0);
  });

  test('a Slack button press reaches the environment that owns the app, next to the other flows', async ({ lab }) => {
    const run = await runInteract(lab, { provider: 'slack', env: 'pd' });
    expect(run.ok).toBe(true);
    expect(run.result.status).toBe(200);
  });

  test('the consent-denied scenario behaves as the contract says', async ({ lab }) => {
    const run = await runScenario(lab, 'consent-denied');
    expect(run.ok).toBe(true);
  });

  test('the handles show what the servers saw', async ({ lab }) => {
    const run = await runConnect(lab, { provider: 'github', env: 'pd' });
    const issued = lab.providers.get('github')?.control.issued.map((t) => t.accessToken);
    expect(issued).toContain(run.result.issuedToken);
    expect(lab.envs.get('pd')?.control.journal.all.length).toBeGreaterThan(0);
  });
});

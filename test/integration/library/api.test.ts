/** The package's public API (src/index.ts, issue 13): one lab, flows in parallel, typed errors, disposal. */
import { describe, expect, it } from 'vitest';
import {
  UnknownNameError,
  loadProfiles,
  runConnect,
  runDisconnect,
  runInteract,
  runRefresh,
  runScenario,
  runSignup,
  scenarios,
  startLab,
  type FlowEvent,
} from '../../../src/index.js';

describe('the library API', () => {
  it('runs a connect per provider, sign-ups, a refresh, a disconnect and an interact concurrently on one lab', async () => {
    await using lab = await startLab({ providers: ['github', 'gitlab', 'bitbucket'], envs: ['local', 'pd'] });
    expect(Object.keys(lab.urls.envs).sort()).toEqual(['local', 'pd']);
    const streamed: FlowEvent[] = [];
    const [gh, gl, bb, su1, su2, rf, dc, ia] = await Promise.all([
      runConnect(lab, { provider: 'github', onEvent: (e) => streamed.push(e) }),
      runConnect(lab, { provider: 'gitlab', env: 'pd' }),
      runConnect(lab, { provider: 'bitbucket' }),
      runSignup(lab, { provider: 'github' }),
      runSignup(lab, { provider: 'github', env: 'pd' }),
      runRefresh(lab, { provider: 'gitlab' }),
      runDisconnect(lab, { provider: 'github' }),
      runInteract(lab, { provider: 'slack' }),
    ]);
    for (const run of [gh, gl, bb, su1, su2, rf, dc, ia])
      expect({ ok: run.ok, failedStep: run.failedStep, error: run.error }).toEqual({
        ok: true,
        failedStep: undefined,
        error: undefined,
      });
    expect(streamed).toEqual(gh.events);
    expect(gh.result.tokenDelivered).toBe(true);
    // The token the provider issued is in the environment's store, found through the public handle.
    const issued = lab.providers.get('github')?.control.issued.map((t) => t.accessToken) ?? [];
    expect(issued).toContain(gh.result.issuedToken);
    expect(lab.envs.get('pd')?.control.journal).toBeDefined();
    // Each connect ran as a user of its own.
    expect(lab.users.size).toBeGreaterThanOrEqual(5);
  });

  it('runs interacts in the lab it is given, concurrently with connects, each finding its own call', async () => {
    await using lab = await startLab({ providers: ['github', 'gitlab'], envs: ['local', 'pd', 'qa'] });
    const [interacts, connects] = await Promise.all([
      Promise.all([
        runInteract(lab, { provider: 'slack' }),
        runInteract(lab, { provider: 'slack', env: 'pd' }),
        runInteract(lab, { provider: 'slack', env: 'qa' }),
        runInteract(lab, { provider: 'msteams', env: 'qa' }),
        runInteract(lab, { provider: 'msteams' }),
        runInteract(lab, { provider: 'msteams' }),
        runInteract(lab, { provider: 'slack', env: 'qa', tamper: 'signature' }),
        runInteract(lab, { provider: 'msteams', tamper: 'app' }),
      ]),
      Promise.all([
        runConnect(lab, { provider: 'github' }),
        runConnect(lab, { provider: 'gitlab', env: 'pd' }),
        runConnect(lab, { provider: 'github', env: 'qa' }),
      ]),
    ]);
    for (const run of [...interacts, ...connects]) {
      const failed = run.events.filter((e) => e.type === 'check-failed');
      expect({ ok: run.ok, failedStep: run.failedStep, failed }).toEqual({
        ok: true,
        failedStep: undefined,
        failed: [],
      });
    }
    // Every interact went through this lab's VPN proxy into this lab's environments.
    for (const run of interacts) expect(run.result.proxy).toMatchObject({ url: lab.urls.vpnProxy });
    const received = (env: string) => lab.envs.get(env)?.control.providerActions.received.map((r) => r.provider);
    expect(received('local')?.sort()).toEqual(['msteams', 'msteams', 'slack']);
    expect(received('pd')).toEqual(['slack']);
    expect(received('qa')?.sort()).toEqual(['msteams', 'slack', 'slack']);
  });

  it('starts the lab the options shape: proxying router, API success page, a VPN proxy of its own, a given clock', async () => {
    const now = () => Date.UTC(2026, 0, 2, 3, 4, 5);
    await using lab = await startLab({
      providers: ['github'],
      envs: ['local', 'qa'],
      routerMode: 'proxy',
      successPage: 'api',
      proxyHost: 'separate',
      now,
    });
    expect(lab.urls.vpnProxy).not.toBe(lab.urls.router);
    const [connect, interact] = await Promise.all([
      runConnect(lab, { provider: 'github', env: 'qa' }),
      runInteract(lab, { provider: 'msteams' }),
    ]);
    expect([connect.ok, interact.ok]).toEqual([true, true]);
    const finished = connect.events.find((e) => e.type === 'step-succeeded' && e.step === 'success-page');
    expect(finished).toMatchObject({ detail: expect.stringContaining('/web/provider-connected/github') });
    expect(connect.events.find((e) => e.type === 'step-succeeded' && e.step === 'isolation')).toMatchObject({
      detail: expect.stringContaining('the router, proxy mode'),
    });
    // The environments' records carry the lab's clock.
    expect(lab.envs.get('qa')?.control.journal.all.every((r) => r.at === now())).toBe(true);
  });

  it('a denied sign-up denies only itself: sign-ups in flight beside it on the same provider approve', async () => {
    await using lab = await startLab({ providers: ['github'], envs: ['local'] });
    // The denied one starts last: a fault it queued for "the next authorize" would be taken by another's.
    const runs = await Promise.all([
      ...Array.from({ length: 4 }, () => runSignup(lab, { provider: 'github' })),
      runSignup(lab, { provider: 'github', deny: true }),
    ]);
    // The denied one ends as the agent ends it (check-signup's USRC-1022 is no LoginResult: contract failure mode 26).
    expect(runs.map((r) => ({ ok: r.ok, failedStep: r.failedStep, code: r.error?.code }))).toEqual([
      ...runs.slice(1).map(() => ({ ok: true, failedStep: undefined, code: undefined })),
      { ok: false, failedStep: 'poll', code: 'LOGIN_FAILED' },
    ]);
    const denials = lab.providers
      .get('github')!
      .control.requests.filter((r) => r.endpoint === 'authorize' && (r.location ?? '').includes('error=access_denied'));
    expect(denials).toHaveLength(1);
  });

  it('rejects an unknown provider with a typed error naming the known ones', async () => {
    await using lab = await startLab({ providers: ['github', 'gitlab'], envs: ['local'] });
    const err = await runConnect(lab, { provider: 'githib' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownNameError);
    expect(err).toMatchObject({
      code: 'PROVIDER_UNKNOWN',
      kind: 'provider',
      value: 'githib',
      known: ['github', 'gitlab'],
    });
    expect((err as Error).message).toContain('github, gitlab');
    await expect(runConnect(lab, { provider: 'github', env: 'nowhere' })).rejects.toBeInstanceOf(UnknownNameError);
    await expect(runScenario(lab, 'no-such-scenario')).rejects.toMatchObject({
      kind: 'scenario',
      value: 'no-such-scenario',
    });
    await expect(startLab({ providers: ['nope'] })).rejects.toBeInstanceOf(UnknownNameError);
  });

  it('runs a scenario by name and lists the catalogue and the profiles', async () => {
    await using lab = await startLab({ providers: ['github'], envs: ['local'] });
    expect(scenarios().map((s) => s.name)).toContain('consent-denied');
    expect((await loadProfiles()).has('github')).toBe(true);
    const run = await runScenario(lab, 'consent-denied');
    expect(run.ok).toBe(true);
    expect(run.events.some((e) => e.type === 'flow-finished')).toBe(true);
  });

  it('closes on dispose: the servers stop answering', async () => {
    const url = await (async () => {
      await using lab = await startLab({ providers: ['github'], envs: ['local'] });
      const local = lab.urls.envs.local ?? '';
      expect((await fetch(`${local}/no-auth/capabilities`)).status).toBeLessThan(500);
      return local;
    })();
    await expect(fetch(`${url}/no-auth/capabilities`)).rejects.toThrow();
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import type { FlowEvent } from '../../src/events.js';
import { createFakeDeps } from '../helpers/fake-deps.js';
import { refuses } from '../helpers/net.js';

/** main() with a stdin that already holds `input` (and ends when `end` is set). */
async function runWithStdin(argv: string[], input: string, end: boolean) {
  const fake = createFakeDeps();
  const stdin = new PassThrough();
  stdin.write(input);
  if (end) stdin.end();
  const exitCode = await main(argv, { ...fake.deps, io: { ...fake.deps.io, stdin } });
  stdin.destroy();
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

const steps = (stdout: string, type: FlowEvent['type']): string[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as FlowEvent)
    .filter((e) => e.type === type)
    .map((e) => (e as { step: string }).step);

describe('connect --step', () => {
  it('shows the request before each step, runs a step per Enter and stops cleanly with q (exit 130)', async () => {
    const { exitCode, stdout, stderr } = await runWithStdin(
      ['connect', 'github', '--step', '--json'],
      '\n\n\nq\n',
      false,
    );
    expect(exitCode).toBe(130);
    expect(steps(stdout, 'step-succeeded')).toEqual(['login', 'auth-code', 'subscribe']);
    expect(steps(stdout, 'step-failed')).toEqual(['start']);
    expect(stdout).toContain('stopped before step \\"start\\" at your request');
    expect(stderr).toMatch(
      /▸ next: Agent loads the me-object\n {2}GET http:\/\/127\.0\.0\.1:\d+\/users\/me \(agent → api, Bearer token\)\n {2}Enter to run it, q to quit: /,
    );
    expect(stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/provider-auth-code\?teamId=acme/);
    // The start URL carries the pauth: shown, but shortened like every secret.
    expect(stderr).toMatch(
      /▸ next: Browser opens the start URL.*\n {2}GET http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?code=eyJ[\w-]+…[\w-]+ \(browser → api\)/,
    );
    expect(stderr.match(/▸ next:/g)).toHaveLength(4);
  });

  it('shows each redirect target before following it', async () => {
    const { exitCode, stderr } = await runWithStdin(
      ['connect', 'github', '--step', '--json'],
      '\n'.repeat(5) + 'q\n',
      false,
    );
    expect(exitCode).toBe(130);
    expect(stderr).toMatch(
      /▸ next: Provider approves.*\n {2}GET http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?client_id=cs-github-client&redirect_uri=.* \(browser → provider\)/,
    );
  });

  it('runs the remaining steps without pausing once stdin ends, so it never hangs', async () => {
    const { exitCode, stdout, stderr } = await runWithStdin(['connect', 'github', '--step', '--json'], '\n', true);
    expect(exitCode).toBe(0);
    expect(steps(stdout, 'step-failed')).toEqual([]);
    expect(steps(stdout, 'step-succeeded')).toEqual(
      expect.arrayContaining(['login', 'start', 'callback', 'broadcast']),
    );
    expect(stderr).toContain('stdin ended: running the remaining steps without pausing');
    expect(stderr.match(/▸ next:/g)).toHaveLength(2);
  });

  it('is a usage error without any stdin', async () => {
    const fake = createFakeDeps();
    expect(await main(['connect', 'github', '--step'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('error: --step needs a standard input to read Enter or q from');
  });

  it('exits 130 on Ctrl-C at the prompt', async () => {
    const controller = new AbortController();
    const fake = createFakeDeps({ signal: controller.signal });
    const stdin = new PassThrough();
    const stderr = fake.deps.io.stderr;
    // Press Ctrl-C as soon as the first prompt is on screen.
    const io = {
      ...fake.deps.io,
      stdin,
      stderr: Object.assign(Object.create(stderr) as typeof stderr, {
        write: (t: string) => (t.includes('q to quit') && controller.abort(), stderr.write(t)),
      }),
    };
    expect(await main(['connect', 'github', '--step'], { ...fake.deps, io })).toBe(130);
    expect(fake.stderr()).toContain('interrupted at the --step prompt');
  });
});

// --- sign-up and refresh ---------------------------------------------------------------------------------

interface Prompt {
  title: string;
  /** The request line under the title, if the step previews one. */
  request: string | undefined;
  /** The steps that had started when this prompt appeared. */
  startedBefore: string[];
}

interface Call {
  method: string;
  url: string;
  signal: AbortSignal | undefined;
  /** Made after the test answered q. */
  afterQuit: boolean;
}

const events = (stdout: string): FlowEvent[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as FlowEvent);

const listeningServers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

/**
 * main() answering each --step prompt as it appears: `answer` returns the line to type (it may wait first).
 * Every fetch the run makes is recorded, so the test sees the poller's calls and every origin the lab served.
 */
async function drive(argv: string[], answer: (prompt: Prompt, calls: CallLog) => string | Promise<string>) {
  const fake = createFakeDeps();
  const stdin = new PassThrough();
  const prompts: Prompt[] = [];
  const calls = new CallLog();
  let quit = false;
  const stderr = fake.deps.io.stderr;
  const write = (chunk: string | Uint8Array): boolean => {
    const text = chunk.toString();
    const prompt = /^▸ next: (.*)\n(?: {2}(.*)\n)? {2}Enter to run it, q to quit: $/.exec(text);
    if (prompt) {
      const p: Prompt = {
        title: prompt[1] ?? '',
        request: prompt[2],
        startedBefore: steps(fake.stdout(), 'step-started'),
      };
      prompts.push(p);
      void Promise.resolve(answer(p, calls)).then((line) => {
        if (line.trim() === 'q') quit = true;
        stdin.write(`${line}\n`);
      });
    }
    return stderr.write(chunk);
  };
  const recordingFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.add({ method: init?.method ?? 'GET', url, signal: init?.signal ?? undefined, afterQuit: quit });
    return globalThis.fetch(input, init);
  };
  const io = { ...fake.deps.io, stdin, stderr: Object.assign(Object.create(stderr) as typeof stderr, { write }) };
  const exitCode = await main(argv, { ...fake.deps, io, fetch: recordingFetch });
  stdin.destroy();
  return { exitCode, prompts, calls, events: events(fake.stdout()), stderr: fake.stderr() };
}

/** The fetch calls of a run, with a promise for "n calls matching" instead of a wait. */
class CallLog {
  readonly all: Call[] = [];
  private waiters: Array<() => void> = [];
  add(call: Call): void {
    this.all.push(call);
    for (const wake of this.waiters.splice(0)) wake();
  }
  checkSignups(): Call[] {
    return this.all.filter((c) => c.method === 'PUT' && new URL(c.url).pathname === '/no-auth/check-signup');
  }
  async until(test: () => boolean): Promise<void> {
    while (!test()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  origins(): string[] {
    return [...new Set(this.all.map((c) => new URL(c.url).origin))];
  }
}

/** Each step's preview appeared before the step started, one prompt per step, in the order they ran. */
function expectPreviewsBeforeEachStep(run: { prompts: Prompt[]; events: FlowEvent[] }): string[] {
  const started = run.events.filter(
    (e): e is Extract<FlowEvent, { type: 'step-started' }> => e.type === 'step-started',
  );
  expect(run.prompts.map((p) => p.title)).toEqual(started.map((s) => s.title));
  run.prompts.forEach((p, i) => expect(p.startedBefore).toEqual(started.slice(0, i).map((s) => s.step)));
  return started.map((s) => s.step);
}

/** The request a step's preview announced is the first one the step made. */
function expectPreviewIsTheRequest(run: { prompts: Prompt[]; events: FlowEvent[] }, stepIds: string[]): void {
  const ids = run.events.filter((e) => e.type === 'step-started').map((e) => (e as { step: string }).step);
  for (const id of stepIds) {
    const from = run.events.findIndex((e) => e.type === 'step-started' && e.step === id);
    const to = run.events.findIndex((e) => e.type === 'step-succeeded' && e.step === id);
    const first = run.events.slice(from, to).find((e): e is Extract<FlowEvent, { type: 'http' }> => e.type === 'http');
    const preview = run.prompts[ids.indexOf(id)]?.request ?? '';
    expect({ id, request: /^(GET|PUT) (\S+)/.exec(preview)?.slice(1, 3) }).toEqual({
      id,
      request: [first?.method, first?.url],
    });
  }
}

/** Nothing listens any more: not on any origin the run talked to, and no server handle left in this process. */
async function expectEveryServerClosed(calls: CallLog): Promise<void> {
  const origins = calls.origins();
  expect(origins.length).toBeGreaterThanOrEqual(2);
  expect(await Promise.all(origins.map(refuses))).toEqual(origins.map(() => true));
  // Every lab of this file closes before its main() returns; a closed server's handle goes away one turn of
  // the event loop after its close callback, so this also covers the environments the run never called.
  await expect.poll(listeningServers).toBe(0);
}

const SIGNUP_POLL = ['signup', 'github', '--poll', '--step', '--json', '--interval', '10'];

describe('signup --poll --step', () => {
  it('runs a step per Enter to the end (exit 0), each step previewed before it runs', async () => {
    const run = await drive(SIGNUP_POLL, () => '');
    expect(run.exitCode).toBe(0);
    expect(run.events.at(-1)).toMatchObject({ type: 'flow-finished', ok: true, result: { tokenDelivered: true } });
    expect(expectPreviewsBeforeEachStep(run)).toEqual([
      'signup-token',
      'poll-start',
      'start',
      'authorize',
      'route',
      'callback',
      'result-page',
      'poll',
      'login-package',
      'single-use',
      'isolation',
    ]);
    expectPreviewIsTheRequest(run, ['start', 'authorize', 'route', 'callback', 'result-page', 'single-use']);
    const byTitle = (title: RegExp) => run.prompts.find((p) => title.test(p.title))?.request;
    const token =
      (run.events.find((e) => e.type === 'step-succeeded' && e.step === 'signup-token') as { detail?: string })
        .detail ?? '';
    const firstPoll = run.calls.checkSignups()[0];
    expect(byTitle(/starts polling/)).toBe(
      `PUT ${firstPoll?.url} {"token":"${token}"} now and every 10 ms until an answer other than AUTH-1006, giving up after 300 s (agent → api, in the background)`,
    );
    expect(byTitle(/sign-up start URL/)).toMatch(
      new RegExp(
        `^GET http://127\\.0\\.0\\.1:\\d+/web/provider-auth/github\\?signupToken=${token} \\(browser → api\\)$`,
      ),
    );
    expect(byTitle(/router sends the callback/)).toMatch(/\(browser → router\)$/);
    expect(byTitle(/lands on the result page/)).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/auth-complete\/github \(browser → marketing\)$/,
    );
    expect(byTitle(/second check-signup/)).toBe(`PUT ${firstPoll?.url} {"token":"${token}"} once more (agent → api)`);
  });

  it.each([
    ['the poll step', /polls check-signup until the login package/, 'poll'],
    ['the route step, the poller still waiting', /router sends the callback/, 'route'],
  ])('q at %s exits 130: the poller stopped, every server closed', async (_at, title, stepId) => {
    let pollsAtQuit = 0;
    const run = await drive(SIGNUP_POLL, async (prompt, calls) => {
      if (!title.test(prompt.title)) return '';
      // While the prompt waits, the poller keeps polling (pending): see two calls, then quit.
      if (stepId === 'route') await calls.until(() => calls.checkSignups().length >= 2);
      pollsAtQuit = calls.checkSignups().length;
      return 'q';
    });
    expect(run.exitCode).toBe(130);
    expect(run.events.filter((e) => e.type === 'step-failed').map((e) => (e as { step: string }).step)).toEqual([
      stepId,
    ]);
    expect(run.prompts.at(-1)?.title).toMatch(title);
    const polls = run.calls.checkSignups();
    expect(pollsAtQuit).toBeGreaterThanOrEqual(1);
    // No check-signup after q (neither the poller's nor the single-use check), and the poller's signal is aborted,
    // so it cannot make another one: it checks the signal before every call and every wait.
    expect(polls.filter((c) => c.afterQuit)).toEqual([]);
    expect(polls).toHaveLength(pollsAtQuit);
    expect(polls.every((c) => c.signal?.aborted === true)).toBe(true);
    await expectEveryServerClosed(run.calls);
  });

  it('without --poll: Enter per browser step, then the token and the check-signup request on stdout', async () => {
    const fake = createFakeDeps();
    const stdin = new PassThrough();
    stdin.end('\n'.repeat(7));
    const exitCode = await main(['signup', 'github', '--step', '--timeout', '0'], {
      ...fake.deps,
      io: { ...fake.deps.io, stdin },
    });
    expect(exitCode).toBe(0);
    expect(fake.stderr().match(/▸ next:/g)).toHaveLength(7);
    expect(fake.stderr()).toMatch(
      /▸ next: Browser opens the sign-up start URL.*\n {2}GET http:\/\/127\.0\.0\.1:\d+\/web\/provider-auth\/github\?signupToken=[\da-f-]{36} \(browser → api\)/,
    );
    expect(fake.stdout()).toMatch(/^[\da-f-]{36}\ncurl -sS -X PUT /);
  });

  it.each([
    [['--browser'], '--step pauses the headless sign-up; leave out --browser'],
    [['--scenario', 'signup-pending-then-login'], '--scenario runs its own headless lab; leave out --step'],
  ])('refuses --step with %s (exit 2)', async (extra, message) => {
    const fake = createFakeDeps();
    const stdin = new PassThrough();
    expect(
      await main(['signup', 'github', '--poll', '--step', ...extra], { ...fake.deps, io: { ...fake.deps.io, stdin } }),
    ).toBe(2);
    expect(fake.stderr()).toContain(message);
    stdin.destroy();
  });
});

describe('refresh --step', () => {
  it('runs a step per Enter to the end (exit 0): the connect steps, then GET /provider-refresh, each previewed first', async () => {
    const run = await drive(['refresh', 'gitlab', '--step', '--json'], () => '');
    expect(run.exitCode).toBe(0);
    expect(run.events.at(-1)).toMatchObject({
      type: 'flow-finished',
      flow: 'refresh',
      ok: true,
      result: { tokenDelivered: true },
    });
    const ids = expectPreviewsBeforeEachStep(run);
    expect(ids.slice(-3)).toEqual(['refresh-call', 'refresh-broadcast', 'isolation']);
    expect(ids).toEqual(
      expect.arrayContaining([
        'login',
        'auth-code',
        'subscribe',
        'start',
        'authorize',
        'route',
        'callback',
        'broadcast',
      ]),
    );
    expectPreviewIsTheRequest(run, ['login', 'auth-code', 'start', 'authorize', 'route', 'callback', 'refresh-call']);
    expect(run.prompts[ids.indexOf('refresh-call')]?.request).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/provider-refresh\/gitlab\?teamId=acme \(agent → api, Bearer token\)$/,
    );
    expect(run.prompts[ids.indexOf('refresh-broadcast')]?.request).toBe(
      'wait for the directive with the refreshed providerInfo.acme.gitlab.accessToken on user-dana (broadcaster → agent)',
    );
  });

  it('q before the refresh call exits 130 with no refresh made and every server closed', async () => {
    const run = await drive(['refresh', 'gitlab', '--step', '--json'], (prompt) =>
      /refresh the token/.test(prompt.title) ? 'q' : '',
    );
    expect(run.exitCode).toBe(130);
    expect(run.events.filter((e) => e.type === 'step-failed').map((e) => (e as { step: string }).step)).toEqual([
      'refresh-call',
    ]);
    expect(run.events.filter((e) => e.type === 'step-succeeded').map((e) => (e as { step: string }).step)).toContain(
      'broadcast',
    );
    expect(run.calls.all.filter((c) => c.afterQuit)).toEqual([]);
    expect(run.calls.all.filter((c) => c.url.includes('/provider-refresh/'))).toEqual([]);
    await expectEveryServerClosed(run.calls);
  });

  it('refuses --step with --scenario (exit 2)', async () => {
    const fake = createFakeDeps();
    const stdin = new PassThrough();
    expect(
      await main(['refresh', 'gitlab', '--step', '--scenario', 'refresh-unsupported'], {
        ...fake.deps,
        io: { ...fake.deps.io, stdin },
      }),
    ).toBe(2);
    expect(fake.stderr()).toContain('--scenario runs its own headless lab; leave out --step');
    stdin.destroy();
  });
});

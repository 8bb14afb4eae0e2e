import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/agent-sim/api-client.js';
import { loginResultOf } from '../../src/agent-sim/login-result.js';
import { pollCheckSignup, type PollAttempt, type PollerOptions } from '../../src/agent-sim/poller.js';
import { createFakeClock, type FakeClock } from '../helpers/fake-clock.js';

const API = 'http://api.codestream.test';
const TOKEN = '0f8fad5b-d9cb-469f-a165-70867728950e';

type Scripted =
  | { status: number; body: Record<string, unknown> }
  | { status: number; html: string }
  | 'network-error'
  | 'hang'
  | 'hang-until-aborted';
const pending: Scripted = { status: 403, body: { code: 'AUTH-1006', message: 'token not found' } };
const loginPackage = { accessToken: 'cs-token', user: { id: 'u1' }, teams: [{ id: 't' }], companies: [{ id: 'c' }] };
const ok: Scripted = { status: 200, body: loginPackage };
const failed = (error: string): Scripted => ({
  status: 403,
  body: { code: 'USRC-1022', message: 'provider login failed', error, provider: 'github' },
});

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Serves the script in order (the last entry repeats); "hang" moves the clock past the request timeout. */
function serve(clock: FakeClock, script: Scripted[]): { bodies: unknown[] } {
  const bodies: unknown[] = [];
  let i = 0;
  server.use(
    http.put(`${API}/no-auth/check-signup`, async ({ request }) => {
      bodies.push(await request.json());
      const next = script[Math.min(i++, script.length - 1)] as Scripted;
      if (next === 'network-error') return HttpResponse.error();
      if (next === 'hang-until-aborted') {
        // The request never answers: time goes on a second at a time until the agent abandons it.
        while (!request.signal.aborted) {
          clock.advance(1000);
          await Promise.resolve();
        }
        return HttpResponse.json({ late: true });
      }
      if (next === 'hang') {
        // The request hangs; while it does, 31 s pass and the agent's 30 s timeout aborts it.
        const abortedByClient = new Promise((resolve) => request.signal.addEventListener('abort', resolve));
        clock.advance(31_000);
        await abortedByClient;
        return HttpResponse.json({ late: true });
      }
      if ('html' in next)
        return new HttpResponse(next.html, { status: next.status, headers: { 'content-type': 'text/html' } });
      return HttpResponse.json(next.body, { status: next.status });
    }),
  );
  return { bodies };
}

/** Polls through the real ApiClient, counting calls in flight from the agent's side. */
async function poll(clock: FakeClock, opts: Partial<PollerOptions> = {}) {
  const client = new ApiClient({ baseUrl: API, fetch: (...args) => globalThis.fetch(...args), now: clock.now });
  let inFlight = 0;
  let maxInFlight = 0;
  const attempts: PollAttempt[] = [];
  const outcome = await pollCheckSignup(
    async (signal) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return await client.checkSignup(TOKEN, signal);
      } finally {
        inFlight -= 1;
      }
    },
    { clock, onAttempt: (a) => attempts.push(a), ...opts },
  );
  return { outcome, attempts, maxInFlight };
}

describe('the check-signup poller (contract §6.2)', () => {
  it('keeps polling every interval while pending, then returns the login package', async () => {
    const clock = createFakeClock();
    const { bodies } = serve(clock, [pending, pending, pending, ok]);
    const { outcome, attempts, maxInFlight } = await poll(clock);
    expect(outcome).toMatchObject({
      kind: 'login',
      result: 'SUCCESS',
      body: loginPackage,
      stats: { calls: 4, ticks: 4, pending: 3, retries: 0, ms: 15_000 },
    });
    expect(bodies).toEqual(Array(4).fill({ token: TOKEN }));
    expect(clock.sleeps).toEqual([5000, 5000, 5000]);
    expect(attempts.map((a) => a.outcome)).toEqual(['pending', 'pending', 'pending', 'answered']);
    expect(maxInFlight).toBe(1);
  });

  it('reports USER_NOT_IN_COMPANY for a package without companies or teams', async () => {
    const clock = createFakeClock();
    serve(clock, [{ status: 200, body: { ...loginPackage, companies: [] } }]);
    expect((await poll(clock)).outcome).toMatchObject({ kind: 'login', result: 'USER_NOT_IN_COMPANY' });
  });

  it('retries a 500 after 250 ms within the same tick, then succeeds', async () => {
    const clock = createFakeClock();
    serve(clock, [{ status: 500, body: { code: 'SWEB-1000' } }, ok]);
    const { outcome, attempts } = await poll(clock);
    expect(outcome).toMatchObject({ kind: 'login', stats: { calls: 2, ticks: 1, retries: 1 } });
    expect(clock.sleeps).toEqual([250]);
    expect(attempts.map((a) => [a.tick, a.attempt, a.outcome, a.status])).toEqual([
      [1, 0, 'retry', 500],
      [1, 1, 'answered', 200],
    ]);
  });

  it('backs off 250, 500, 750 ms over 3 retries, fails the tick, and polls again an interval later', async () => {
    const clock = createFakeClock();
    serve(clock, ['network-error', 'network-error', { status: 503, body: {} }, 'network-error', ok]);
    const { outcome, attempts, maxInFlight } = await poll(clock);
    expect(outcome).toMatchObject({ kind: 'login', stats: { calls: 5, ticks: 2, retries: 3, failedTicks: 1 } });
    expect(clock.sleeps).toEqual([250, 500, 750, 5000]);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry', 'tick-failed', 'answered']);
    expect(attempts.map((a) => a.backoffMs)).toEqual([undefined, 250, 500, 750, undefined]);
    expect(maxInFlight).toBe(1);
  });

  it("stops on USRC-1032 with the url to switch to as extra, for the webview's region switch (failure mode 25)", async () => {
    const clock = createFakeClock();
    serve(clock, [
      pending,
      { status: 403, body: { code: 'USRC-1032', message: 'switch', url: 'https://eu.api.codestream.example' } },
    ]);
    const { outcome } = await poll(clock);
    expect(outcome).toMatchObject({
      kind: 'failed',
      result: 'UNKNOWN',
      code: 'USRC-1032',
      extra: { code: 'USRC-1032', url: 'https://eu.api.codestream.example' },
    });
  });

  it('aborts a request that hangs past its 30 s timeout and retries it', async () => {
    const clock = createFakeClock();
    serve(clock, ['hang', ok]);
    const { outcome, attempts, maxInFlight } = await poll(clock);
    expect(outcome).toMatchObject({ kind: 'login', stats: { calls: 2, retries: 1 } });
    expect(attempts[0]).toMatchObject({ outcome: 'retry', error: 'no answer within 30000 ms' });
    expect(clock.now()).toBe(31_250);
    expect(maxInFlight).toBe(1);
  });

  it('stops at the give-up time even while a call hangs: timed out at 300 s, not after the 30 s request timeout', async () => {
    const clock = createFakeClock();
    serve(clock, [...Array<Scripted>(59).fill(pending), 'hang-until-aborted']);
    const { outcome, attempts } = await poll(clock, { intervalMs: 5000, timeoutMs: 300_000 });
    // Calls at 0, 5 s, …, 290 s pending; the one at 295 s hangs and is abandoned when 300 s is up.
    expect(outcome).toEqual({
      kind: 'timed-out',
      stats: { calls: 60, ticks: 60, pending: 59, retries: 0, failedTicks: 0, ms: 300_000 },
    });
    expect(attempts.at(-1)).toMatchObject({
      tick: 60,
      attempt: 0,
      at: 295_000,
      outcome: 'tick-failed',
      error: 'abandoned: the give-up time passed after 5000 ms of this call',
    });
  });

  it('does not retry past the give-up time: the backoff is cut short and no call starts after it', async () => {
    const clock = createFakeClock();
    serve(clock, [{ status: 503, body: {} }]);
    const { outcome, attempts } = await poll(clock, { timeoutMs: 1000 });
    // Calls at 0, 250 and 750 ms; the next retry would start at 1500 ms, past the give-up time of 1000 ms.
    expect(attempts.map((a) => a.at)).toEqual([0, 250, 750]);
    expect(outcome).toMatchObject({ kind: 'timed-out', stats: { calls: 3, ms: 1000 } });
  });

  it("maps a 4xx whose body is not JSON (a proxy's error page) to UNKNOWN at once, without retrying it", async () => {
    const clock = createFakeClock();
    serve(clock, [{ status: 404, html: '<html><body>Not Found</body></html>' }]);
    const { outcome } = await poll(clock);
    expect(outcome).toMatchObject({
      kind: 'failed',
      result: 'UNKNOWN',
      status: 404,
      code: '',
      stats: { calls: 1, retries: 0 },
    });
  });

  it('gives up after the timeout with every call pending', async () => {
    const clock = createFakeClock();
    serve(clock, [pending]);
    const { outcome } = await poll(clock, { intervalMs: 5000, timeoutMs: 300_000 });
    // Calls at 0, 5 s, …, 295 s: 60 of them, then 300 s is up.
    expect(outcome).toEqual({
      kind: 'timed-out',
      stats: { calls: 60, ticks: 60, pending: 60, retries: 0, failedTicks: 0, ms: 300_000 },
    });
  });

  it.each([
    ['PRVD-1005', 'SIGNUP_REQUIRED', false],
    ['AUTH-1005', 'TOKEN_EXPIRED', false],
    ['USRC-1006', 'ALREADY_CONFIRMED', false],
    ['PRVD-1006', 'SIGNIN_REQUIRED', false],
    ['access_denied', 'UNKNOWN', true],
    ['RAPI-1010', 'UNKNOWN', true],
  ])('stops on USRC-1022 {error: %s} with %s', async (nested, result, unmapped) => {
    const clock = createFakeClock();
    serve(clock, [pending, failed(nested)]);
    const { outcome } = await poll(clock);
    expect(outcome).toMatchObject({
      kind: 'failed',
      result,
      status: 403,
      code: 'USRC-1022',
      nested,
      stats: { calls: 2, pending: 1 },
    });
    expect('nestedUnmapped' in outcome && outcome.nestedUnmapped === true).toBe(unmapped);
  });

  it('stops at once on any other 4xx, without retrying it', async () => {
    const clock = createFakeClock();
    serve(clock, [{ status: 403, body: { code: 'USRC-1023' } }]);
    expect((await poll(clock)).outcome).toMatchObject({
      kind: 'failed',
      result: 'MAINTENANCE_MODE',
      stats: { calls: 1, retries: 0 },
    });
  });

  it('stops with FLOW_ABORTED when interrupted', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    server.use(
      http.put(`${API}/no-auth/check-signup`, () => {
        controller.abort();
        return HttpResponse.json({ code: 'AUTH-1006' }, { status: 403 });
      }),
    );
    await expect(poll(clock, { signal: controller.signal })).rejects.toMatchObject({ code: 'FLOW_ABORTED' });
  });
});

describe('loginResultOf (contract §6.2 table)', () => {
  it.each([
    [{ code: 'AUTH-1006' }, 'TOKEN_NOT_FOUND'],
    [{ code: 'AUTH-1002' }, 'TOKEN_INVALID'],
    [{ code: 'RAPI-1003' }, 'TOKEN_INVALID'],
    [{ code: 'AUTH-1004' }, 'TOKEN_EXPIRED'],
    [{ code: 'USRC-1010' }, 'NOT_CONFIRMED'],
    [{ code: 'USRC-1012' }, 'USER_NOT_ON_TEAM'],
    [{ code: 'PRVD-1002' }, 'MULTIPLE_WORKSPACES'],
    [{ code: 'USRC-1020' }, 'INVITE_CONFLICT'],
    [{ code: 'USRC-1024' }, 'MUST_SET_PASSWORD'],
    [{ code: 'USRC-1026' }, 'EMAIL_IS_WEBMAIL'],
    [{ code: 'VERS-1001' }, 'VERSION_UNSUPPORTED'],
    [{ code: 'USRC-1032', url: 'https://eu' }, 'UNKNOWN'],
    [{}, 'UNKNOWN'],
    [{ code: 'USRC-1022', info: { error: 'PRVD-1005' } }, 'SIGNUP_REQUIRED'],
  ])('maps %j to %s', (body, result) => {
    expect(loginResultOf(body).result).toBe(result);
  });

  it.each(['toString', 'constructor', '__proto__'])(
    'maps the code %s, and USRC-1022 nesting it, to UNKNOWN (flagged as unmapped)',
    (name) => {
      expect(loginResultOf({ code: name })).toEqual({ result: 'UNKNOWN', code: name });
      expect(loginResultOf({ code: 'USRC-1022', error: name })).toEqual({
        result: 'UNKNOWN',
        code: 'USRC-1022',
        nested: name,
        nestedUnmapped: true,
      });
    },
  );
});

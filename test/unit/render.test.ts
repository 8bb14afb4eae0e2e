import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlowEvent } from '../../src/events.js';
import { createRenderer, pickRenderer, type OutputLevel, type RenderKind } from '../../src/render/index.js';
import { createSecretRegistry, noRedaction, type SecretRegistry } from '../../src/util/secrets.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

const TOKEN = 'gho_16C7e42F292c6912E7710c838347Ae179f2c';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
const API = 'http://127.0.0.1:5000';
const hop = { ms: 4, startedAt: 1000 };

const connectOk: FlowEvent[] = [
  { type: 'flow-started', flow: 'connect', provider: 'github', env: 'local', at: 1000 },
  { type: 'step-started', step: 'pauth-code', title: 'Get a pauth code' },
  {
    type: 'http',
    from: 'agent',
    to: 'api',
    method: 'GET',
    url: `${API}/provider-auth-code?teamId=t1`,
    status: 200,
    ...hop,
  },
  { type: 'step-succeeded', step: 'pauth-code', ms: 12 },
  { type: 'step-started', step: 'start', title: 'Open the start route' },
  {
    type: 'http',
    from: 'browser',
    to: 'api',
    method: 'GET',
    url: `${API}/web/provider-auth/github?code=${JWT}`,
    status: 302,
    location: 'http://127.0.0.1:6000/login/oauth/authorize',
    ...hop,
  },
  { type: 'check-passed', step: 'start', check: 'state-env', detail: 'local' },
  { type: 'check-passed', step: 'start', check: 'client-id' },
  { type: 'note', step: 'start', text: 'consent auto-approved' },
  { type: 'message', from: 'broadcaster', to: 'agent', channel: 'user-u1', summary: `token ${TOKEN}` },
  { type: 'step-succeeded', step: 'start', ms: 30.4, detail: `token ${TOKEN}` },
  { type: 'flow-finished', flow: 'connect', ok: true, ms: 143, result: { token: TOKEN } },
];

const hopEvent = { type: 'http', from: 'agent', to: 'api', method: 'GET', url: API, status: 200, ...hop } as const;

const connectFailed: FlowEvent[] = [
  { type: 'flow-started', flow: 'connect', provider: 'github', env: 'local', at: 1000 },
  { type: 'step-started', step: 'exchange', title: 'Exchange the code' },
  { type: 'check-failed', step: 'exchange', check: 'token', expected: `"${TOKEN}"`, actual: '"other-token-value"' },
  {
    type: 'step-failed',
    step: 'exchange',
    ms: 7,
    error: {
      code: 'CHECK_FAILED',
      message: `token: expected "${TOKEN}"`,
      hint: 'Run with --verbose.',
      detail: { check: 'token' },
    },
  },
  { type: 'step-started', step: 'deliver', title: 'Deliver the token' },
  {
    type: 'step-failed',
    step: 'deliver',
    ms: 3,
    error: { code: 'BROADCAST_TIMEOUT', message: 'no directive on "user-u1"' },
  },
  { type: 'flow-finished', flow: 'connect', ok: false, ms: 150, failedStep: 'exchange' },
];

function render(
  kind: RenderKind,
  events: FlowEvent[],
  opts: { secrets?: SecretRegistry; color?: boolean; level?: OutputLevel } = {},
) {
  const fake = createFakeDeps({ color: opts.color ?? false });
  const secrets = opts.secrets ?? createSecretRegistry();
  const renderer = createRenderer(kind, fake.deps.io, {
    redact: secrets.redact,
    redactDeep: secrets.redactDeep,
    // -v (every check and hop) unless a test asks for another level.
    level: opts.level ?? 'verbose',
  });
  events.forEach(renderer.onEvent);
  renderer.close();
  return { stdout: fake.stdout(), stderr: fake.stderr() };
}

function withToken(): SecretRegistry {
  const secrets = createSecretRegistry();
  secrets.add(TOKEN);
  return secrets;
}

describe('plain renderer', () => {
  it('prints one line per meaningful event on stderr, redacted, without ANSI codes', () => {
    const { stdout, stderr } = render('plain', connectOk, { secrets: withToken() });
    expect(stdout).toBe('');
    expect(stderr).toBe(
      [
        'connect github (env local)',
        `  → agent→api GET ${API}/provider-auth-code?teamId=t1 200`,
        '✔ Get a pauth code (12 ms)',
        `  → browser→api GET ${API}/web/provider-auth/github?code=eyJhbG…dXJl 302 → http://127.0.0.1:6000/login/oauth/authorize`,
        '  ✓ state-env — local',
        '  ✓ client-id',
        '  · consent auto-approved',
        '  ⇢ broadcaster→agent on user-u1: token gho_16…9f2c',
        '✔ Open the start route (30 ms) — token gho_16…9f2c',
        'connect github: ok in 143 ms',
        '',
      ].join('\n'),
    );
  });

  it('shows a failed check once, then the hint, the other errors with their code, and where the flow failed', () => {
    const { stderr } = render('plain', connectFailed, { secrets: withToken() });
    const lines = stderr.split('\n');
    expect(lines).toContain('  ✗ token: expected "gho_16…9f2c", got "other-token-value"');
    expect(lines).toContain('✖ Exchange the code (7 ms)');
    expect(lines).toContain('  hint: Run with --verbose.');
    expect(stderr).not.toContain('error: token');
    expect(lines).toContain('  error: no directive on "user-u1" [BROADCAST_TIMEOUT]');
    expect(lines.at(-2)).toBe('connect github: FAILED at step exchange after 150 ms');
    expect(stderr).not.toContain('detail:');
  });

  it('adds hop timings and error details with --debug', () => {
    expect(render('plain', connectOk, { level: 'debug' }).stderr).toContain('/provider-auth-code?teamId=t1 200 (4 ms)');
    expect(render('plain', connectFailed, { level: 'debug' }).stderr).toContain('  detail: {"check":"token"}');
  });

  it('prints a line per step and the final line by default, no hop, check or note', () => {
    const { stderr } = render('plain', connectOk, { secrets: withToken(), level: 'normal' });
    expect(stderr).toBe(
      [
        'connect github (env local)',
        '✔ Get a pauth code (12 ms)',
        '✔ Open the start route (30 ms) — token gho_16…9f2c',
        'connect github: ok in 143 ms',
        '',
      ].join('\n'),
    );
  });

  it.each(['normal', 'quiet'] as const)('shows a failing step in full at level %s', (level) => {
    const failing: FlowEvent[] = [...connectOk.slice(0, 4), ...connectFailed.slice(1, 4), connectFailed.at(-1)!];
    failing.splice(5, 0, { ...hopEvent, url: `${API}/token` });
    const { stderr } = render('plain', failing, { secrets: withToken(), level });
    const lines = stderr.split('\n');
    expect(lines).toContain(`  → agent→api GET ${API}/token 200`);
    expect(lines).toContain('  ✗ token: expected "gho_16…9f2c", got "other-token-value"');
    expect(lines).toContain('✖ Exchange the code (7 ms)');
    expect(lines.at(-2)).toBe('connect github: FAILED at step exchange after 150 ms');
    expect(stderr.includes('✔ Get a pauth code')).toBe(level === 'normal');
    expect(stderr.includes('(env local)')).toBe(level === 'normal');
    expect(stderr).not.toContain('teamId=t1');
  });

  it('shows a step that had nothing to do as skipped, not as passed', () => {
    const skipped: FlowEvent[] = [
      connectOk[0]!,
      { type: 'step-started', step: 'fragment-hop', title: 'Move the token from the fragment' },
      { type: 'step-succeeded', step: 'fragment-hop', ms: 0, detail: 'not taken by github', skipped: true },
    ];
    expect(render('plain', skipped, { level: 'normal' }).stderr).toContain(
      '– Move the token from the fragment — skipped: not taken by github',
    );
    expect(render('plain', skipped, { level: 'normal' }).stderr).not.toContain('✔');
  });
});

describe('tty renderer', () => {
  it('prints the same information through spinners, without colour when io.color is off', () => {
    const { stdout, stderr } = render('tty', [...connectOk, ...connectFailed], { secrets: withToken() });
    expect(stdout).toBe('');
    expect(stderr).not.toContain('\x1b[');
    for (const line of [
      '✔ Get a pauth code (12 ms)',
      '  ✓ state-env — local',
      '✔ Open the start route (30 ms) — token gho_16…9f2c',
      'connect github: ok in 143 ms',
      '✖ Exchange the code (7 ms)',
      '  error: no directive on "user-u1" [BROADCAST_TIMEOUT]',
      'connect github: FAILED at step exchange after 150 ms',
    ]) {
      expect(stderr.split('\n')).toContain(line);
    }
  });

  it('colours only when io.color is on', () => {
    expect(render('tty', connectOk, { color: true }).stderr).toContain('\x1b[32m✔');
  });

  describe('on a terminal', () => {
    afterEach(() => void vi.useRealTimers());

    function startStep(columns: number) {
      const fake = createFakeDeps({ isTTY: true });
      Object.assign(fake.deps.io.stderr, { columns });
      const renderer = createRenderer('tty', fake.deps.io, createSecretRegistry());
      renderer.onEvent({ type: 'step-started', step: 's', title: 'Get a pauth code' });
      return { fake, renderer };
    }

    it('animates a spinner and stops it on close', () => {
      vi.useFakeTimers();
      const { fake, renderer } = startStep(80);
      vi.advanceTimersByTime(500);
      const frames = fake.stderr();
      expect(frames).toContain(' Get a pauth code');
      expect(frames).not.toContain('- Get a pauth code\n');
      renderer.close();
      vi.advanceTimersByTime(500);
      expect(fake.stderr()).toBe(frames);
    });

    it('falls back to static lines when the terminal reports no width (ora would loop forever)', () => {
      const { fake, renderer } = startStep(0);
      renderer.close();
      expect(fake.stderr()).toBe('- Get a pauth code\n');
    });
  });
});

describe('json renderer', () => {
  it('writes each event as one JSON line on stdout and nothing on stderr', () => {
    const { stdout, stderr } = render('json', connectOk);
    const lines = stdout.trimEnd().split('\n');
    expect(stderr).toBe('');
    expect(lines.map((line) => (JSON.parse(line) as FlowEvent).type)).toEqual(connectOk.map((e) => e.type));
    expect(JSON.parse(lines[0] ?? '')).toEqual(connectOk[0]);
  });

  it('redacts secrets inside the events as data', () => {
    const { stdout } = render('json', connectOk, { secrets: withToken() });
    const last = JSON.parse(stdout.trimEnd().split('\n').at(-1) ?? '') as { result: { token: string } };
    expect(last.result.token).toBe('gho_16…9f2c');
  });
});

describe('redaction', () => {
  it.each<RenderKind>(['plain', 'tty', 'json'])(
    'never lets a registered token or a JWT through the %s renderer',
    (kind) => {
      const { stdout, stderr } = render(kind, [...connectOk, ...connectFailed], { secrets: withToken() });
      expect(stdout + stderr).not.toContain(TOKEN);
      expect(stdout + stderr).not.toContain(JWT);
    },
  );

  it.each<RenderKind>(['plain', 'tty', 'json'])(
    'shows them in full through the %s renderer with --show-secrets',
    (kind) => {
      const { stdout, stderr } = render(kind, connectOk, { secrets: noRedaction });
      expect(stdout + stderr).toContain(TOKEN);
      expect(stdout + stderr).toContain(JWT);
    },
  );
});

describe('pickRenderer', () => {
  it.each([
    { json: true, isTTY: true, expected: 'json' },
    { json: false, isTTY: true, expected: 'tty' },
    { json: undefined, isTTY: false, expected: 'plain' },
  ])('picks $expected for json=$json on a tty=$isTTY', ({ json, isTTY, expected }) => {
    const { deps } = createFakeDeps({ isTTY });
    expect(pickRenderer({ json, io: deps.io })).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[]) {
  const fake = createFakeDeps();
  const exitCode = await main(argv, fake.deps);
  return { exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('codestream-auth signup', () => {
  it('exits 0 with --poll, showing each hop and each poll', async () => {
    const { exitCode, stdout, stderr } = await run(['signup', 'github', '--poll', '--interval', '20', '-v']);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('');
    for (const title of [
      'Webview makes a signup token',
      'Browser opens the sign-up start URL',
      'Agent polls check-signup until the login package',
      'A second check-signup with the same token answers AUTH-1006',
    ]) {
      expect(stderr).toContain(`✔ ${title}`);
    }
    expect(stderr).toMatch(/· poll 1 \(\+\d+ ms\): 403 AUTH-1006 — pending/);
    expect(stderr).toMatch(/browser→provider GET http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?/);
    expect(stderr).toMatch(/signup github: ok in \d+ ms\n$/);
    // The issued token is shortened, never printed whole.
    expect(stderr).not.toMatch(/gho_[0-9a-f]{40}/);
  });

  it('exits 1 when consent is denied, naming access_denied and the LoginResult', async () => {
    const { exitCode, stderr } = await run(['signup', 'bitbucket', '--poll', '--interval', '20', '--deny', '-v']);
    expect(exitCode).toBe(1);
    expect(stderr).toContain('code=access_denied');
    expect(stderr).toContain(
      'error: check-signup answered "USRC-1022" with nested error "access_denied": LoginResult "UNKNOWN" [LOGIN_FAILED]',
    );
    expect(stderr).toMatch(/signup bitbucket: FAILED at step poll/);
  });

  it('ends NDJSON with the login result under --json', async () => {
    const { exitCode, stdout } = await run(['signup', 'okta', '--poll', '--interval', '20', '--no-signup', '--json']);
    expect(exitCode).toBe(1);
    const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    expect(last).toMatchObject({
      type: 'flow-finished',
      ok: false,
      failedStep: 'poll',
      result: { loginResult: 'SIGNUP_REQUIRED', callbackError: 'PRVD-1005' },
    });
  });

  it('without --poll prints the signup token and the check-signup request, and waits for one call', async () => {
    const fake = createFakeDeps();
    const exit = main(['signup', 'gitlab', '--timeout', '5'], fake.deps);
    await expect.poll(() => fake.stdout()).toMatch(/\ncurl /);
    const [token, curl] = fake.stdout().trim().split('\n');
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const url = /'(http:\/\/127\.0\.0\.1:\d+\/no-auth\/check-signup)'/.exec(curl ?? '')?.[1] ?? '';
    expect(curl).toBe(`curl -sS -X PUT '${url}' -H 'content-type: application/json' -d '{"token":"${token}"}'`);
    const res = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(res.status).toBe(200);
    expect(await exit).toBe(0);
    expect(fake.stderr()).toContain('check-signup answered; the record is gone, closing the lab');
  });

  it('exits at once without --poll and with --timeout 0', async () => {
    const { exitCode, stdout } = await run(['signup', 'github', '--timeout', '0']);
    expect(exitCode).toBe(0);
    expect(stdout.split('\n')).toHaveLength(3);
  });

  it.each([
    { argv: ['signup', 'gitlb'], message: 'error: unknown provider "gitlb"' },
    {
      argv: ['signup', 'slack'],
      message: 'error: provider "slack" has no sign-in (supportsSignup with an identity lookup)',
    },
    {
      argv: ['signup', 'github', '--interval', 'soon'],
      message: 'error: --interval must be a number above 0, not "soon"',
    },
    {
      argv: ['signup', 'github', '--poll', '--timeout', '0'],
      message: 'error: --timeout must be a number above 0, not "0"',
    },
    {
      argv: ['signup', 'okta', '--host-url', 'acme.okta.com'],
      message: 'error: --host-url must be an http(s) URL, not "acme.okta.com"',
    },
  ])('exits 2 for $argv', async ({ argv, message }) => {
    const { exitCode, stderr } = await run(argv);
    expect(exitCode).toBe(2);
    expect(stderr).toContain(message);
  });
});

/** Provider names and --host (issue 16, items 6 and 7): typos get the nearest id, case is ignored, --host checked. */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

async function run(argv: string[]) {
  const fake = createFakeDeps();
  const code = await main(argv, fake.deps);
  return { code, stdout: fake.stdout(), stderr: fake.stderr() };
}

describe('provider names', () => {
  it.each([
    [['connect', 'githb']],
    [['signup', 'githb', '--poll']],
    [['disconnect', 'githb']],
    [['smoke', '--providers', 'trello,githb']],
    [['serve', '--providers', 'githb']],
  ])('suggests the nearest provider for a typo: %j', async (argv) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stderr).toContain('error: unknown provider "githb" (did you mean github?)');
  });

  it('suggests nothing for a name near no provider', async () => {
    const { code, stderr } = await run(['connect', 'zzzzzzzz']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: unknown provider "zzzzzzzz"\n');
  });

  it.each([
    [['connect', 'GitHub', '-q'], /^connect github: ok/m],
    [['refresh', 'GitLab', '-q', '--envs', 'local'], /^refresh gitlab: ok/m],
    [['interact', 'Slack', '-q'], /^interact slack: ok/m],
    [
      ['smoke', '--providers', 'TRELLO', '--flows', 'connect', '--envs', 'local', '--scenarios', 'none'],
      /connect\/trello/,
    ],
  ])('accepts ids in any case: %j', async (argv, line) => {
    const { code, stderr } = await run(argv);
    expect(code).toBe(0);
    expect(stderr).toMatch(line);
  });
});

describe('--host', () => {
  it('is refused for a provider that is not an enterprise one, naming the registered hosts', async () => {
    const { code, stderr } = await run(['connect', 'github', '--host', 'https://git.example.com']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: --host is for enterprise providers; "github" is not one');
    expect(stderr).toContain('github_enterprise (https://git.example.com)');
    expect(stderr).not.toContain('✔');
  });

  it.each(['notaurl', 'ftp://git.example.com', 'git.example.com'])('refuses the malformed host %j', async (host) => {
    const { code, stderr } = await run(['connect', 'github_enterprise', '--host', host]);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: --host must be an http(s) URL such as https://git.example.com, not "${host}"`);
    expect(stderr).toContain('hint: Hosts registered for github_enterprise: https://git.example.com.');
  });

  it('runs with a registered host, and with an unregistered one until the API answers PRVD-1003', async () => {
    expect((await run(['connect', 'github_enterprise', '--host', 'https://git.example.com', '-q'])).code).toBe(0);
    const other = await run(['connect', 'github_enterprise', '--host', 'https://other.example.com', '-q']);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('PRVD-1003');
  });
});

/**
 * The inspector against a real lab: flows grouped from the servers' traffic, the contract's checks on their
 * hops, no whole token in any answer unless --show-secrets, and bad input to its own endpoints a 400 or 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { runConnect } from '../../../src/flows/connect/run.js';
import { runSignup } from '../../../src/flows/signup/run.js';
import { startInspector, type RunningInspector } from '../../../src/inspector/index.js';
import type { Lab } from '../../../src/lab/start-lab.js';
import type { ServeInfo } from '../../../src/lab/serve.js';
import { createFakeDeps } from '../../helpers/fake-deps.js';
import { flowDeps, startTestLab } from '../../helpers/lab.js';

/** Every answer the inspector gives about its flows: list, flows, hops, HAR, Mermaid, and the page. */
async function everyAnswer(url: string): Promise<string[]> {
  const texts: string[] = [await (await fetch(url)).text()];
  const list = await (await fetch(`${url}/api/flows`)).text();
  texts.push(list);
  for (const flow of (JSON.parse(list) as { flows: Array<{ id: string; hops: number }> }).flows) {
    for (const path of ['', '/har', '/mermaid'])
      texts.push(await (await fetch(`${url}/api/flows/${flow.id}${path}`)).text());
    for (let n = 1; n <= flow.hops; n++)
      texts.push(await (await fetch(`${url}/api/flows/${flow.id}/hops/${n}`)).text());
  }
  return texts;
}

describe('inspector on a lab', () => {
  let lab: Lab;
  let shortened: RunningInspector;
  let whole: RunningInspector;
  const issued: string[] = [];
  beforeAll(async () => {
    lab = await startTestLab({ providers: ['github'], consent: 'auto' });
    shortened = await startInspector(lab);
    whole = await startInspector(lab, { showSecrets: true });
    const connect = await runConnect({ provider: 'github' }, await flowDeps(), lab);
    expect(connect.outcome.ok).toBe(true);
    const signup = await runSignup({ provider: 'github', poll: true, intervalMs: 20 }, await flowDeps(), lab);
    expect(signup.outcome.ok).toBe(true);
    const grants = lab.providers.get('github')?.control.issued ?? [];
    for (const token of [connect.context.issuedToken, signup.context.issuedToken, ...tokensOf(grants)])
      if (token) issued.push(token);
    expect(issued.length).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await shortened?.close();
    await whole?.close();
    await lab?.close();
  });

  it('groups a connect and a sign-up into one flow each, every hop the contract checks passing', async () => {
    const { flows } = (await (await fetch(`${shortened.url}/api/flows`)).json()) as {
      flows: Array<Record<string, string>>;
    };
    expect(flows.map((f) => [f.kind, f.provider, f.env, f.result])).toEqual([
      ['signup', 'github', 'local', 'completed'],
      ['connect', 'github', 'local', 'completed'],
    ]);
    const connect = (await (await fetch(`${shortened.url}/api/flows/${flows[1]?.id}`)).json()) as {
      hops: Array<{ from: string; to: string; failed: number }>;
    };
    expect(connect.hops.map((h) => `${h.from}>${h.to}`)).toEqual([
      'agent>api',
      'browser>api',
      'browser>provider',
      'browser>router',
      'api>provider',
      'browser>api',
      'browser>marketing',
    ]);
    expect(connect.hops.every((h) => h.failed === 0)).toBe(true);
  });

  it('never answers a whole issued token, unless --show-secrets', async () => {
    const redacted = (await everyAnswer(shortened.url)).join('\n');
    for (const token of issued) expect(redacted).not.toContain(token);
    // A page that shows no hop at all would pass the line above: the shortened form must be there.
    expect(redacted).toMatch(/"state":\{"raw":"local!eyJ[\w-]{3}…/);
    const shown = (await everyAnswer(whole.url)).join('\n');
    for (const token of issued) expect(shown).toContain(token);
  });

  it.each([
    ['/api/flows/f999', 404],
    ['/api/flows/nope', 404],
    ['/api/flows/f1/hops/999', 404],
    ['/api/flows/f1/hops/0', 400],
    ['/api/flows/f1/hops/abc', 400],
    ['/api/flows/f1/hops/1e3', 400],
    ['/api/flows?limit=abc', 400],
    ['/api/flows?limit=0', 400],
    ['/api/flows?limit=1&limit=2', 400],
    ['/api/flows/%E0%A4%A', 400],
    ['/api/flows/f999/har', 404],
    ['/api/flows/f999/mermaid', 404],
    ['/assets/..%2Fpackage.json', 404],
    ['/assets/nothing.js', 404],
    ['/no/such/page', 404],
  ])('%s → %i', async (path, status) => {
    const res = await fetch(`${shortened.url}${path}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toHaveProperty('error');
  });
});

function tokensOf(grants: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 12) out.push(v);
    else if (v instanceof Map) for (const x of v.values()) walk(x);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) if (/token/i.test(k)) walk(x);
  };
  walk(grants);
  return out;
}

describe('serve prints the inspector', () => {
  it.each([
    [[], true],
    [['--no-inspector'], false],
  ])('serve --json %j', async (args, present) => {
    const abort = new AbortController();
    const fake = createFakeDeps({ signal: abort.signal });
    const running = main(['serve', '--json', '--providers', 'github', '--envs', 'local', ...args], fake.deps);
    await expect.poll(() => fake.stdout()).toContain('\n');
    const info = JSON.parse(fake.stdout()) as ServeInfo;
    if (present) {
      const page = await fetch(info.inspectorUrl ?? 'http://invalid.invalid');
      expect(await page.text()).toContain('codestream-auth inspector');
    } else expect(info.inspectorUrl).toBeUndefined();
    abort.abort();
    // Ctrl-C ends serve as interrupted (128 + SIGINT), the way every test of serve ends it.
    expect(await running).toBe(130);
  });
});

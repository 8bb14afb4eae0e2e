import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { scenarioCatalogue } from '../../src/flows/scenarios/index.js';
import { createFakeDeps } from '../helpers/fake-deps.js';

describe('scenarios command', () => {
  it('lists every scenario with what it injects and expects', async () => {
    const fake = createFakeDeps();
    expect(await main(['scenarios'], fake.deps)).toBe(0);
    for (const s of scenarioCatalogue)
      expect(fake.stdout()).toMatch(
        new RegExp(`^ {2}${s.name} +${s.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
    expect(fake.stdout()).toContain('expects: lost broadcast recovered through channel history on resubscribe');
    expect(fake.stderr()).toBe('');
  });

  it('prints the catalogue as data with --json, filtered by --flow', async () => {
    const fake = createFakeDeps();
    expect(await main(['scenarios', '--json', '--flow', 'signup'], fake.deps)).toBe(0);
    const list = JSON.parse(fake.stdout()) as Array<{ name: string; flow: string; expect: { outcome: string } }>;
    expect(list.map((s) => s.name)).toEqual(scenarioCatalogue.filter((s) => s.flow === 'signup').map((s) => s.name));
    expect(list.find((s) => s.name === 'signup-record-expired')?.expect).toEqual({
      outcome: 'login-failed',
      from: 'poll',
      webError: null,
      answer: 'AUTH-1005',
      result: 'TOKEN_EXPIRED',
    });
  });

  it('refuses an unknown flow as a usage error', async () => {
    const fake = createFakeDeps();
    expect(await main(['scenarios', '--flow', 'nope'], fake.deps)).toBe(2);
    expect(fake.stderr()).toContain('--flow must be one of connect, signup, refresh, interact, disconnect, not "nope"');
  });

  it('lists the interact scenarios with smoke as the command that runs them (no --scenario on interact)', async () => {
    const fake = createFakeDeps();
    expect(await main(['scenarios', '--flow', 'interact'], fake.deps)).toBe(0);
    expect(fake.stdout()).toMatch(/^interact \(\d+\); run one with: codestream-auth smoke --scenarios <name>$/m);
    expect(fake.stdout()).toMatch(/^ {2}teams-connect-code-expired +/m);
  });

  it('lists the refresh scenarios with the command that runs them', async () => {
    const fake = createFakeDeps();
    expect(await main(['scenarios', '--flow', 'refresh'], fake.deps)).toBe(0);
    expect(fake.stdout()).toContain('refresh (2); run one with: codestream-auth refresh <provider> --scenario <name>');
    expect(fake.stdout()).toMatch(/^ {2}refresh-rejected +/m);
    expect(fake.stdout()).not.toContain('consent-denied');
  });
});

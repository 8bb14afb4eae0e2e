/**
 * The built bin when its reader stops early (`codestream-auth --help | head -1`): the closed pipe ends the
 * output quietly, never a stack trace. `npm test` builds dist/ first.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/codestream-auth.js', import.meta.url));

it('prints no EPIPE stack trace when stdout closes before the help is written', async () => {
  const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Close our end at once: every write of the child then meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).not.toContain('EPIPE');
  expect(stderr).not.toContain('Unhandled');
  expect(code).toBe(0);
});

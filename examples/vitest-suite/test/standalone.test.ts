// Without the fixture: startLab() with `await using`, and the typed error for a provider the lab does not run.
import { expect, test } from 'vitest';
import { UnknownNameError, runConnect, startLab } from 'codestream-auth';

test('an unknown provider is a typed error naming the known ones', async () => {
  await using lab = await startLab({ providers: ['github'], envs: ['local'] });
  const err: unknown = await runConnect(lab, { provider: 'githib' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UnknownNameError);
  if (err instanceof UnknownNameError) expect(err.known).toEqual(['github']);
});

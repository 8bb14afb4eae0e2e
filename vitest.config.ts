import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    // expect.poll waits on something the test cannot hook (a socket, a browser page); its 1 s default is
    // shorter than a loaded 2-core CI machine may need. A poll that succeeds returns at once, so this only
    // moves the point at which a real failure is reported.
    expect: { poll: { timeout: 8_000 } },
    // Every server binds 127.0.0.1:0, so files can run in parallel safely.
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    // Every server binds 127.0.0.1:0, so files can run in parallel safely.
    pool: 'forks',
  },
});

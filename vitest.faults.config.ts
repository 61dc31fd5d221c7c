import { defineConfig } from 'vitest/config';

// `npm run test:faults`: fault injection with real processes stopped and killed for real (a
// PostgreSQL cluster stopped mid-stream, …). Slow by nature (outages last tens of seconds), so
// kept out of `npm test` and run as their own step by .ci/run. One file at a time: each owns the
// servers it breaks, and timings must not starve each other.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/setup/kafka.global.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 1, minForks: 1 } },
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // A real PostgreSQL for the run: the local server, or one started for it (never skipped).
    globalSetup: ['test/support/postgres-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Real gateways with real SQLite files: two cores, so two workers.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // A real PostgreSQL for the run: the local server, or one started for it (never skipped).
    globalSetup: ['test/support/postgres-setup.ts'],
    // Real processes, real browsers and two databases on two cores: generous bounds, so a loaded machine cannot fail a test by time alone.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Real gateways with real SQLite files: two cores, so two workers.
    maxWorkers: 2,
  },
});

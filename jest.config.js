/**
 * NestJS 12 ships as ES modules. The compiled service loads them through Node's require(esm);
 * Jest (30.x) does the same on Node ≥ 24.9 once its VM modules are enabled, which the `test`
 * scripts do (`--experimental-vm-modules`), so the tests run the module graph production runs.
 *
 * Two tiers, one run: `unit` is the pure code under src/ (no database, no build: `npm run
 * test:unit` selects it alone); `e2e` is everything under test/, whose global setup finds or
 * starts PostgreSQL and migrates the template every file clones. Jest runs a project's global
 * setup only when one of its tests is selected, so the unit tier never touches a database.
 */

// Every test runs in UTC, whatever the machine's zone: dates built or printed in local time (a
// `new Date(y, m, d)`, a log line, an `endedAt` a day ahead) mean the same on every machine and
// in CI. Set here, in the process that loads this file, so the workers Jest forks inherit it.
process.env.TZ = 'UTC';
const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': 'ts-jest' },
  // The generated Prisma client imports its siblings with .js suffixes.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  // CI (CI=true, as .ci/run sets it) runs one file at a time: the e2e files start services and
  // PostgreSQL clusters and measure them (outages, polls, concurrency, horizons), and on two cores
  // a neighbouring file made one of those measurements miss in about every other full run. It
  // takes twice as long (about 10 minutes); at a desk, two at a time.
  maxWorkers: process.env.CI === 'true' ? 1 : 2,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

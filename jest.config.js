/**
 * NestJS 12 ships as ES modules. The compiled service loads them through Node's require(esm);
 * Jest (30.x) does the same on Node ≥ 24.9 once its VM modules are enabled, which the `test`
 * script does (`--experimental-vm-modules`), so the tests run the module graph production runs.
 */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // The generated Prisma client imports its siblings with .js suffixes.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};

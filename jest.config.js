/**
 * NestJS 12 ships as ES modules. The compiled service loads them through Node's require(esm),
 * which Jest's module system does not offer on Node 20, so Jest compiles those packages to
 * CommonJS with Babel (import.meta included) while ts-jest compiles our TypeScript: the tests
 * run the same CommonJS module graph as production.
 */
const ESM_PACKAGES = ['@nestjs', 'file-type', 'strtok3', 'token-types', 'uint8array-extras', '@tokenizer', 'load-esm'];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    '^.+\\.m?js$': [
      'babel-jest',
      {
        babelrc: false,
        configFile: false,
        // module: 'ES6' makes import.meta.url an `import` that the CommonJS transform then
        // rewrites; the default emits a bare require(), which breaks a module that declares its
        // own `require` (@nestjs/terminus: `const require = createRequire(import.meta.url)`).
        plugins: [['babel-plugin-transform-import-meta', { module: 'ES6' }], '@babel/plugin-transform-modules-commonjs'],
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  // The generated Prisma client imports its siblings with .js suffixes.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};

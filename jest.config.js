/**
 * Two tiers, by file name (docs/development.md, "Tests: the unit and integration tiers"):
 * - unit: every `*.test.ts` except `*.integration.test.ts`. No global setup, no Java,
 *   no DynamoDB Local (test/setup/unit-tier.ts makes sure nothing can reach one).
 * - integration: `*.integration.test.ts`, with ONE DynamoDB Local for the whole run
 *   (jest.global-setup.ts; endpoint in AWS_ENDPOINT_URL_DYNAMODB for the workers).
 * `npm test` runs both; `npm run test:unit` and `npm run test:integration` run one.
 */
// The test run is on Node 20 by design (the functions run on Node 22 in Lambda): the AWS SDK's
// Node-version warning, printed once per worker and per child process that creates a client,
// is the one warning turned off (with the SDK's own switch), here, before the workers and the
// programs the tests start inherit the environment. Every other warning still prints.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy ships ES modules only: let swc transform it too.
  transformIgnorePatterns: ['/node_modules/(?!@middy)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  // A global option: jest ignores it in a project's configuration.
  testTimeout: 30000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.test\\.ts$'],
      setupFiles: ['<rootDir>/test/setup/unit-tier.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.integration.test.ts'],
      // Started only when a test of this project runs.
      globalSetup: '<rootDir>/jest.global-setup.ts',
      globalTeardown: '<rootDir>/jest.global-teardown.ts',
    },
  ],
};

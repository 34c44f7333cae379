// A team's Jest setup: NodeSDK with plumbline's parts starts in setupFiles, before each test file.
module.exports = {
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/tracing.cjs'],
  testMatch: ['**/*.test.cjs'],
};

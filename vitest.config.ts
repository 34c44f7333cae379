import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Builds or finds Prometheus, promtool, Alertmanager and the collector once, before any file.
    globalSetup: ['./test/support/global-setup.ts'],
    // One file at a time: the real-peer tests start Prometheus, collectors and the blueprint, and
    // on two cores running them side by side turns load into flaky latency-based assertions.
    fileParallelism: false,
    testTimeout: 30_000,
    // Peers are built by the global setup, so a file's setup only starts processes; a file whose
    // setup does more work sets a larger bound of its own.
    hookTimeout: 120_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.typetest.json',
      ignoreSourceErrors: true,
    },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // One file at a time: the real-peer tests start Prometheus, collectors and the blueprint, and
    // on two cores running them side by side turns load into flaky latency-based assertions.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 600_000,
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.typetest.json',
      ignoreSourceErrors: true,
    },
  },
});

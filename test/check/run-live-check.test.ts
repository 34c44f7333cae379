// Ending a watch early: runLiveCheck stops at its signal, and the CLI process turns Ctrl-C into
// "report what was seen" instead of dying without a word.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runLiveCheck } from '../../src/check/live-check.js';
import { main } from '../../src/cli/main.js';
import { freePort } from '../support/process.js';
import { checkSpec } from './check-spec.js';

describe('runLiveCheck', () => {
  it('reports as soon as its signal aborts, long before the duration', async () => {
    const stop = new AbortController();
    const started = performance.now();
    setTimeout(() => stop.abort(), 100);
    const report = await runLiveCheck({ spec: checkSpec, durationMs: 60_000, signal: stop.signal });
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(report.ok).toBe(true);
  });
});

describe('plumbline check live (process)', () => {
  it('prints the report and exits 1 on SIGINT, naming what it could not read', async () => {
    const [metricsPort, otlpPort] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'check',
        'live',
        '--spec',
        'examples/blueprint/telemetry.ts',
        '--metrics',
        `http://127.0.0.1:${metricsPort}/metrics`,
        '--otlp-listen',
        `127.0.0.1:${otlpPort}`,
        '--duration',
        '10m',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('receiving OTLP/HTTP on')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(1);
    expect(stderr).toContain(`receiving OTLP/HTTP on http://127.0.0.1:${otlpPort}`);
    expect(stdout).toMatch(
      new RegExp(`input-failed +http://127\\.0\\.0\\.1:${metricsPort}/metrics +metrics`),
    );
  }, 60_000);
});

describe('plumbline check live (flags)', () => {
  it('refuses a --scrape-interval that is not a duration of at least 100 ms, naming the flag', async () => {
    for (const interval of ['often', '10ms']) {
      let stderr = '';
      const code = await main(
        [
          'check',
          'live',
          '--spec',
          'examples/blueprint/telemetry.ts',
          '--metrics',
          'http://127.0.0.1:1/metrics',
          '--scrape-interval',
          interval,
        ],
        { stdout: () => undefined, stderr: (text) => (stderr += text) },
      );
      expect(code).toBe(2);
      expect(stderr).toContain(
        `--scrape-interval: expected a duration of at least 100ms such as 1s or 15s, got "${interval}"`,
      );
    }
  });
});

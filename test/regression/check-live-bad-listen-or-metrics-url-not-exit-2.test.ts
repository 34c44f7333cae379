// Regression: check.md says bad usage exits 2 ("a bad value", like a bad --duration), but a bad
// --otlp-listen value exited 1 (the listener threw a plain Error, read as a failed check), and
// `--metrics not-a-url` watched for the whole --duration and then exited 1 with an input-failed
// deviation, as if the service had not answered. Both are bad usage now, refused before anything
// is watched: a --metrics that is not an http:// or https:// URL, a --otlp-listen that is not
// HOST:PORT or PORT. Real parts: the CLI in this process.
import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const SPEC = 'test/fixtures/orders-spec-module.ts';
const run = (metrics: string, otlpListen?: string) =>
  runCli([
    'check',
    'live',
    '--spec',
    SPEC,
    '--metrics',
    metrics,
    ...(otlpListen === undefined ? [] : ['--otlp-listen', otlpListen]),
    '--duration',
    '10s',
  ]);

it.each([
  [
    'http://127.0.0.1:1/metrics',
    'localhost:http',
    '--otlp-listen: expected HOST:PORT or PORT, got "localhost:http"',
  ],
  [
    'http://127.0.0.1:1/metrics',
    '127.0.0.1:99999',
    '--otlp-listen: expected HOST:PORT or PORT, got "127.0.0.1:99999"',
  ],
  [
    'not-a-url',
    undefined,
    '--metrics: expected an http:// or https:// URL such as http://127.0.0.1:9464/metrics, got "not-a-url"',
  ],
  [
    'ftp://127.0.0.1/metrics',
    undefined,
    '--metrics: expected an http:// or https:// URL such as http://127.0.0.1:9464/metrics, got "ftp://127.0.0.1/metrics"',
  ],
])('--metrics %s --otlp-listen %s is bad usage, exit 2, at once', async (metrics, otlpListen, message) => {
  const started = performance.now();
  const result = await run(metrics, otlpListen);
  expect(result.stderr).toContain(message);
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe('');
  // Refused before watching: not after the 10 s --duration.
  expect(performance.now() - started).toBeLessThan(5_000);
});

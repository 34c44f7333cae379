// Regression: otlpEndpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) given as a signal's own URL, the form
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT takes (`http://collector:4318/v1/traces`), was accepted; the
// exporters append /v1/traces, /v1/metrics and /v1/logs to it, so a real OTLP/HTTP receiver was
// sent /v1/traces/v1/traces, /v1/traces/v1/logs and /v1/traces/v1/metrics, refused each, and every
// span, log record and metric batch was dropped (export_failed 1 of each after one flush, 0
// delivered). A query or fragment swallowed the appended path the same way (`...:4318?token=1`
// posted to `/?token=1/v1/traces`, path `/`). Now both are refused up front naming the field and the base URL to use; a path
// prefix (`http://gateway/otlp`, allowed by the OTLP spec) is still appended to.
import { createServer, type Server } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, TelemetryOptionsError, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
});

/** An OTLP/HTTP receiver answering 200 on the three signal paths under `prefix`, 404 elsewhere, as the collector does. */
async function receiver(prefix = ''): Promise<{ base: string; paths: string[] }> {
  const paths: string[] = [];
  const signals = ['traces', 'metrics', 'logs'].map((signal) => `${prefix}/v1/${signal}`);
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    request.resume();
    request.on('end', () =>
      signals.includes(request.url ?? '')
        ? response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
        : response.writeHead(404).end('404 page not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, paths };
}

function issuesOf(make: () => unknown): string[] {
  try {
    make();
  } catch (error) {
    if (error instanceof TelemetryOptionsError)
      return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

function telemetry(otlpEndpoint?: string): Telemetry {
  const made = createTelemetry(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint,
    exportTimeoutMs: 2000,
    metricExportIntervalMs: 2000,
  });
  cleanups.push(() => made.shutdown());
  return made;
}

it('otlp-endpoint-with-signal-path-drops-every-export: a signal URL is refused, naming the base URL', async () => {
  const { base, paths } = await receiver();
  expect(issuesOf(() => telemetry(`${base}/v1/traces`))).toEqual([
    `otlpEndpoint: must be the OTLP/HTTP base URL, without /v1/traces (plumbline appends /v1/traces, /v1/metrics and /v1/logs): use "${base}", got "${base}/v1/traces"`,
  ]);
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `${base}/v1/metrics/`;
  expect(issuesOf(() => telemetry())).toEqual([
    `otlpEndpoint (OTEL_EXPORTER_OTLP_ENDPOINT): must be the OTLP/HTTP base URL, without /v1/metrics (plumbline appends /v1/traces, /v1/metrics and /v1/logs): use "${base}", got "${base}/v1/metrics/"`,
  ]);
  expect(paths).toEqual([]);
});

it('otlp-endpoint-with-signal-path-drops-every-export: a query or fragment is refused', () => {
  expect(issuesOf(() => telemetry('http://127.0.0.1:4318?token=1'))).toEqual([
    'otlpEndpoint: must have no query or fragment (the signal paths are appended to it), got "http://127.0.0.1:4318?token=1"',
  ]);
  expect(issuesOf(() => telemetry('http://127.0.0.1:4318#x'))).toHaveLength(1);
});

it('otlp-endpoint-with-signal-path-drops-every-export: a path prefix is still appended to, and exports arrive', async () => {
  const { base, paths } = await receiver('/otlp');
  const made = telemetry(`${base}/otlp`);
  made.tracer.startSpan('GET /orders').end();
  made.log.event('order.placed', {});
  await made.forceFlush();
  expect([...new Set(paths)].sort()).toEqual(['/otlp/v1/logs', '/otlp/v1/metrics', '/otlp/v1/traces']);
});

// Regression: OTEL_EXPORTER_OTLP_COMPRESSION=gzip (and OTEL_EXPORTER_OTLP_METRICS_COMPRESSION), how
// a service cuts its export traffic, reached the span and log export (OTel's exporters read them)
// but not the metric export, which is plumbline's own: 1 /v1/traces and 1 /v1/logs post came
// gzipped, the /v1/metrics post plain. They are now read as OTel's exporters read them: the
// signal's own variable before the general one, 'gzip' or 'none', another value left out.
// Real HTTP: a receiver on loopback that gunzips what says it is gzipped.
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { otelVariablesTest } from '../support/otel-variables.js';
import { startRecordingReceiver } from '../support/otlp-recording-receiver.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
  counters: { 'orders.placed': { description: 'Orders placed.', attributes: [] } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
  'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION',
] as const;
const env = otelVariablesTest(VARIABLES);
const { cleanups } = env;

/** One span, event line and count, flushed: each path's content-encoding, and whether metrics arrived whole. */
async function encodings(
  variables: Parameters<typeof env.telemetry>[2],
): Promise<{ encodings: Record<string, string>; counted: unknown }> {
  const sink = await startRecordingReceiver(cleanups);
  const telemetry = env.telemetry(spec, sink.url, variables, {
    metricExportIntervalMs: 600_000,
  });
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    telemetry.metrics.counter('orders.placed').add(3);
    span.end();
  });
  await telemetry.forceFlush();
  const metrics = sink.posts.find((post) => post.path === '/v1/metrics')?.body as
    | {
        resourceMetrics?: {
          scopeMetrics?: {
            metrics?: { name?: string; sum?: { dataPoints?: { asInt?: string; asDouble?: number }[] } }[];
          }[];
        }[];
      }
    | undefined;
  const orders = metrics?.resourceMetrics
    ?.flatMap((resource) => resource.scopeMetrics ?? [])
    .flatMap((scope) => scope.metrics ?? [])
    .find((metric) => metric.name === 'orders.placed');
  const point = orders?.sum?.dataPoints?.[0];
  return {
    encodings: Object.fromEntries(
      sink.posts
        .map((post) => [post.path, post.contentEncoding ?? 'none'] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    counted: point?.asInt ?? point?.asDouble,
  };
}

it('otlp-metric-export-ignores-compression: gzip reaches the metric export as it does spans and logs', async () => {
  // Before: '/v1/metrics': 'none'.
  expect(await encodings({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' })).toEqual({
    encodings: { '/v1/logs': 'gzip', '/v1/metrics': 'gzip', '/v1/traces': 'gzip' },
    counted: 3,
  });
});

it("otlp-metric-export-ignores-compression: the signal's own variable first; an invalid one left out", async () => {
  expect(
    await encodings({
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none',
    }),
  ).toEqual({ encodings: { '/v1/logs': 'gzip', '/v1/metrics': 'none', '/v1/traces': 'gzip' }, counted: 3 });
  await Promise.all(
    cleanups
      .splice(0)
      .reverse()
      .map((cleanup) => cleanup()),
  );
  expect(
    await encodings({
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'brotli',
      OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: ' zstd ',
    }),
  ).toEqual({ encodings: { '/v1/logs': 'gzip', '/v1/metrics': 'gzip', '/v1/traces': 'gzip' }, counted: 3 });
});

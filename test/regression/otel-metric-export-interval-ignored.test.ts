// Regression: OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT, how an OTel service sets
// how often its metrics go out and how long one export may take, were ignored by plumbline's OTLP
// metric export (its reader is its own, and NodeSDK reads them only for a reader it builds): with
// OTEL_METRIC_EXPORT_INTERVAL=200 nothing was posted for 15 s (metricExportIntervalMs' default),
// and with OTEL_METRIC_EXPORT_TIMEOUT=300 an export the collector held for 3 s went through
// instead of failing at 300 ms. They are now read as NodeSDK reads them; the reader's timeout
// races the exporter's (OTEL_EXPORTER_OTLP_[METRICS_]TIMEOUT), the shorter one ending the export;
// the options (metricExportIntervalMs, exportTimeoutMs) still win. Real HTTP on loopback.
import { expect, it } from 'vitest';
import { defineTelemetry, type Telemetry, type TelemetryOptions } from '../../src/index.js';
import { droppedCounts, otelVariablesTest } from '../support/otel-variables.js';
import { startRecordingReceiver, type RecordingReceiver } from '../support/otlp-recording-receiver.js';
import { waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
  counters: { 'orders.placed': { description: 'Orders placed.', attributes: [] } },
});

const VARIABLES = ['OTEL_METRIC_EXPORT_INTERVAL', 'OTEL_METRIC_EXPORT_TIMEOUT'] as const;
const env = otelVariablesTest(VARIABLES);
const { cleanups } = env;

function telemetryUnder(
  sink: RecordingReceiver,
  variables: Parameters<typeof env.telemetry>[2],
  options: TelemetryOptions = {},
): Telemetry {
  const telemetry = env.telemetry(spec, sink.url, variables, {
    otlpLogs: false,
    ...options,
  });
  telemetry.metrics.counter('orders.placed').add(1);
  return telemetry;
}

const metricPosts = (sink: RecordingReceiver) =>
  sink.posts.filter((post) => post.path === '/v1/metrics').length;

it('otel-metric-export-interval-ignored: OTEL_METRIC_EXPORT_INTERVAL sets how often metrics go out', async () => {
  const sink = await startRecordingReceiver(cleanups);
  telemetryUnder(sink, { OTEL_METRIC_EXPORT_INTERVAL: '200' });
  // Before: none until 15 s (metricExportIntervalMs' default), so none within this wait.
  expect(
    await waitFor('three metric exports', () => (metricPosts(sink) >= 3 ? true : undefined), 10_000),
  ).toBe(true);
});

it('otel-metric-export-interval-ignored: the metricExportIntervalMs option wins over it', async () => {
  const sink = await startRecordingReceiver(cleanups);
  const telemetry = telemetryUnder(
    sink,
    { OTEL_METRIC_EXPORT_INTERVAL: '200' },
    { metricExportIntervalMs: 600_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(metricPosts(sink)).toBe(0);
  await telemetry.forceFlush();
  expect(metricPosts(sink)).toBe(1);
});

it('otel-metric-export-interval-ignored: OTEL_METRIC_EXPORT_TIMEOUT fails an export the receiver still holds', async () => {
  const sink = await startRecordingReceiver(cleanups, { '/v1/metrics': 3_000 });
  const telemetry = telemetryUnder(
    sink,
    { OTEL_METRIC_EXPORT_TIMEOUT: '300' },
    { metricExportIntervalMs: 600_000 },
  );
  void telemetry.forceFlush();
  const ended = await waitFor('the metric export to end', () => {
    const timedOut = droppedCounts(telemetry)['metric_batch/timeout'] === 1;
    return timedOut || sink.answered.length > 0 ? { timedOut, answered: [...sink.answered] } : undefined;
  });
  // Before: answered after 3 s, no timeout counted.
  expect(ended).toEqual({ timedOut: true, answered: [] });
});

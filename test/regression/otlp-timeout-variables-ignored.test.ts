// Regression: OTEL_EXPORTER_OTLP_TIMEOUT and OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, the deadline
// every OTel SDK exporter takes from the environment, were not read by plumbline's exports: the
// `exportTimeoutMs` option (or its 10,000 ms default) was given to each exporter, and OTel's
// exporters read the variables only when given no timeout. With OTEL_EXPORTER_OTLP_TIMEOUT=300
// and a collector that held each export for 3 s, every span, log and metric export went through
// after 3 s (no failure counted) instead of failing at 300 ms. They are now read as
// otlp-exporter-base reads them: milliseconds, the signal's own before the general one, an
// invalid value left out; the option still wins. Real HTTP: a receiver that holds each post.
import { expect, it } from 'vitest';
import { defineTelemetry, type TelemetryOptions } from '../../src/index.js';
import { droppedCounts, otelVariablesTest } from '../support/otel-variables.js';
import { startRecordingReceiver } from '../support/otlp-recording-receiver.js';
import { waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
  counters: { 'orders.placed': { description: 'Orders placed.', attributes: [] } },
});

/** How long the receiver holds each post before answering 200: far past the variables' 300 ms. */
const HOLD_MS = 3_000;

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT',
  'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
  'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT',
] as const;
const env = otelVariablesTest(VARIABLES);
const { cleanups } = env;

/** What each signal's first export came to: its drop if one was counted, else what the receiver did. */
async function firstExports(
  variables: Parameters<typeof env.telemetry>[2],
  options: TelemetryOptions = {},
): Promise<{ drops: Record<string, number>; answeredWhenCounted: string[] }> {
  const sink = await startRecordingReceiver(cleanups, {
    '/v1/traces': HOLD_MS,
    '/v1/logs': HOLD_MS,
    '/v1/metrics': HOLD_MS,
  });
  const telemetry = env.telemetry(spec, sink.url, variables, {
    // No periodic metric export of its own: only the flush's.
    metricExportIntervalMs: 600_000,
    ...options,
  });
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    telemetry.metrics.counter('orders.placed').add(1);
    span.end();
  });
  void telemetry.forceFlush();
  // Each signal's export ends either failed (counted) or answered by the receiver.
  await waitFor('every export to end', () => {
    const counted = droppedCounts(telemetry);
    const ended = ['/v1/traces', '/v1/logs', '/v1/metrics'].filter(
      (path) =>
        sink.answered.includes(path) ||
        Object.keys(counted).some((key) => key.startsWith(`${SIGNAL_OF[path]}/`)),
    );
    return ended.length === 3 ? true : undefined;
  });
  const answeredWhenCounted = [...sink.answered].sort();
  expect([...new Set(sink.posts.map((post) => post.path))].sort()).toEqual([
    '/v1/logs',
    '/v1/metrics',
    '/v1/traces',
  ]);
  return { drops: droppedCounts(telemetry), answeredWhenCounted };
}

const SIGNAL_OF: Record<string, string> = {
  '/v1/traces': 'span',
  '/v1/logs': 'log_record',
  '/v1/metrics': 'metric_batch',
};

it('otlp-timeout-variables-ignored: OTEL_EXPORTER_OTLP_TIMEOUT fails every export the receiver still holds', async () => {
  // Before: no drop; all three answered after HOLD_MS.
  expect(await firstExports({ OTEL_EXPORTER_OTLP_TIMEOUT: '300' })).toEqual({
    drops: { 'span/export_failed': 1, 'log_record/export_failed': 1, 'metric_batch/timeout': 1 },
    answeredWhenCounted: [],
  });
});

it("otlp-timeout-variables-ignored: a signal's own variable wins over the general one", async () => {
  expect(
    await firstExports({
      OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '300',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: ' 300 ',
    }),
  ).toEqual({
    drops: { 'span/export_failed': 1, 'metric_batch/timeout': 1 },
    answeredWhenCounted: ['/v1/logs'],
  });
});

it('otlp-timeout-variables-ignored: an invalid signal variable is left out for the general one', async () => {
  expect(
    await firstExports({
      OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: 'soon',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '-5',
      OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '60000',
    }),
  ).toEqual({
    drops: { 'span/export_failed': 1, 'log_record/export_failed': 1 },
    answeredWhenCounted: ['/v1/metrics'],
  });
});

it('otlp-timeout-variables-ignored: the exportTimeoutMs option wins over the variables', async () => {
  expect(await firstExports({ OTEL_EXPORTER_OTLP_TIMEOUT: '300' }, { exportTimeoutMs: 60_000 })).toEqual({
    drops: {},
    answeredWhenCounted: ['/v1/logs', '/v1/metrics', '/v1/traces'],
  });
});

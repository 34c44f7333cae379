// Regression: OTEL_BSP_* and OTEL_BLRP_*, the batch span and log record processor settings of the
// OTel environment, were ignored by plumbline's OTLP span and log export: its processors come from
// sdk-trace and sdk-logs, which read none of them (NodeSDK reads them only for the processors it
// builds itself, and it builds none beside plumbline's), so with OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2
// five spans went out in 1 post of 5 (-> 2, 2, 1), OTEL_BSP_MAX_QUEUE_SIZE=3 dropped none of 5
// (-> 2 dropped and counted), and OTEL_BSP_SCHEDULE_DELAY, which docs/collector.md tells users to
// lower, changed nothing. They are now read as NodeSDK reads them; the options (maxQueuedSpans,
// maxQueuedLogRecords, exportTimeoutMs) still win. Real HTTP: an OTLP/HTTP receiver on loopback.
import { expect, it } from 'vitest';
import { defineTelemetry, type Telemetry, type TelemetryOptions } from '../../src/index.js';
import { droppedCounts, otelVariablesTest } from '../support/otel-variables.js';
import { waitFor } from '../support/process.js';
import {
  itemsIn,
  startRecordingReceiver,
  type RecordingReceiver,
} from '../support/otlp-recording-receiver.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const VARIABLES = [
  'OTEL_BSP_MAX_QUEUE_SIZE',
  'OTEL_BSP_SCHEDULE_DELAY',
  'OTEL_BSP_EXPORT_TIMEOUT',
  'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
  'OTEL_BLRP_MAX_QUEUE_SIZE',
  'OTEL_BLRP_SCHEDULE_DELAY',
  'OTEL_BLRP_EXPORT_TIMEOUT',
  'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
] as const;
const env = otelVariablesTest(VARIABLES);
const { cleanups } = env;

/** A telemetry exporting to `sink` under the variables given (and no others of these). */
function telemetryUnder(
  sink: RecordingReceiver,
  variables: Parameters<typeof env.telemetry>[2],
  options: TelemetryOptions = {},
): Telemetry {
  const telemetry = env.telemetry(spec, sink.url, variables, {
    metricExportIntervalMs: 600_000,
    ...options,
  });
  return telemetry;
}

/** Five spans, each with an event line in it. */
function fiveSpans(telemetry: Telemetry): void {
  for (let index = 0; index < 5; index++)
    telemetry.tracer.startActiveSpan(`checkout ${index}`, (span) => {
      telemetry.log.event('order.placed', {});
      span.end();
    });
}

/** The spans or log records in each post to `path`, in order. */
const batches = (sink: RecordingReceiver, path: string) =>
  sink.posts.filter((post) => post.path === path).map((post) => itemsIn(post.body));

it('otel-bsp-blrp-variables-ignored: OTEL_BSP_ and OTEL_BLRP_MAX_EXPORT_BATCH_SIZE cut the batches', async () => {
  const sink = await startRecordingReceiver(cleanups);
  const telemetry = telemetryUnder(sink, {
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: ' 2 ',
  });
  fiveSpans(telemetry);
  await telemetry.forceFlush();
  // Before: [5] and [5].
  expect({ spans: batches(sink, '/v1/traces'), logs: batches(sink, '/v1/logs') }).toEqual({
    spans: [2, 2, 1],
    logs: [2, 2, 1],
  });
});

it('otel-bsp-blrp-variables-ignored: OTEL_BSP_ and OTEL_BLRP_MAX_QUEUE_SIZE bound the queues, drops counted', async () => {
  // The first batch is held while the rest queue up behind it.
  const sink = await startRecordingReceiver(cleanups, { '/v1/traces': 500, '/v1/logs': 500 });
  const telemetry = telemetryUnder(sink, { OTEL_BSP_MAX_QUEUE_SIZE: '3', OTEL_BLRP_MAX_QUEUE_SIZE: '3' });
  fiveSpans(telemetry);
  fiveSpans(telemetry);
  await telemetry.forceFlush();
  // Before: no drop, one post of 10 each. Now a batch of 3 goes out at once (the batch size is
  // cut to the queue's), 3 wait behind it and 4 find the queue full.
  expect({
    dropped: droppedCounts(telemetry),
    spans: batches(sink, '/v1/traces'),
    logs: batches(sink, '/v1/logs'),
  }).toEqual({ dropped: { 'span/queue_full': 4, 'log_record/queue_full': 4 }, spans: [3, 3], logs: [3, 3] });
});

it('otel-bsp-blrp-variables-ignored: the options win over the variables; an invalid value is left out', async () => {
  const sink = await startRecordingReceiver(cleanups);
  const telemetry = telemetryUnder(
    sink,
    {
      OTEL_BSP_MAX_QUEUE_SIZE: '3',
      OTEL_BLRP_MAX_QUEUE_SIZE: '3',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: 'two',
    },
    { maxQueuedSpans: 10, maxQueuedLogRecords: 10 },
  );
  fiveSpans(telemetry);
  await telemetry.forceFlush();
  expect({
    dropped: droppedCounts(telemetry),
    spans: batches(sink, '/v1/traces'),
    logs: batches(sink, '/v1/logs'),
  }).toEqual({ dropped: {}, spans: [5], logs: [5] });
});

it('otel-bsp-blrp-variables-ignored: OTEL_BSP_ and OTEL_BLRP_SCHEDULE_DELAY set when a batch goes out', async () => {
  const sink = await startRecordingReceiver(cleanups);
  // Far past OTel's defaults (5 s for spans, 1 s for log records) and past this test.
  const telemetry = telemetryUnder(sink, {
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    OTEL_BLRP_SCHEDULE_DELAY: '600000',
  });
  fiveSpans(telemetry);
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  // Before: both posted on their default delay.
  expect(sink.posts.map((post) => post.path)).toEqual([]);
  await telemetry.forceFlush();
  expect({ spans: batches(sink, '/v1/traces'), logs: batches(sink, '/v1/logs') }).toEqual({
    spans: [5],
    logs: [5],
  });
});

it('otel-bsp-blrp-variables-ignored: OTEL_BSP_ and OTEL_BLRP_EXPORT_TIMEOUT let the next batch go while the receiver holds the last', async () => {
  const sink = await startRecordingReceiver(cleanups, { '/v1/traces': 3_000, '/v1/logs': 3_000 });
  const telemetry = telemetryUnder(sink, {
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2',
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '2',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_BLRP_SCHEDULE_DELAY: '50',
    OTEL_BSP_EXPORT_TIMEOUT: '300',
    OTEL_BLRP_EXPORT_TIMEOUT: '300',
  });
  fiveSpans(telemetry);
  // The processor waits for an export at most its timeout before it sends the next batch: the
  // three batches of each signal are all posted before the receiver answers any. Without the
  // timeouts each batch waits for the answer to the one before (3 s).
  const early = await waitFor('three posts of each signal', () =>
    batches(sink, '/v1/traces').length === 3 && batches(sink, '/v1/logs').length === 3
      ? [...sink.answered].filter((path) => path !== '/v1/metrics')
      : undefined,
  );
  expect(early).toEqual([]);
});

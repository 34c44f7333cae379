// Regression: the OTel attribute limits (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT
// and their OTEL_SPAN_* / OTEL_LOGRECORD_* forms), which NodeSDK gives its tracer and logger
// providers, were ignored by createTelemetry's own providers (sdk-trace's and sdk-logs' read none):
// with OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=5 a span attribute and an event line's field of 10
// characters were exported whole, so a service that set the limit to keep large values (a
// request body, a SQL text) out of its telemetry sent them all the same. They are now read as
// NodeSDK reads them, the signal's own form over the general one. Real HTTP on loopback.
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { otelVariablesTest } from '../support/otel-variables.js';
import { startRecordingReceiver, type RecordingReceiver } from '../support/otlp-recording-receiver.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: { note: { type: 'string' } } } },
});

const VARIABLES = [
  'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT',
  'OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT',
] as const;
const env = otelVariablesTest(VARIABLES);
const { cleanups } = env;

type Attribute = { key: string; value: { stringValue?: string } };

/** The attributes of the exported items under `path` (spans or log records), each as key=value. */
function exported(sink: RecordingReceiver, path: string, list: readonly string[]): string[][] {
  const items: { attributes?: Attribute[] }[] = [];
  for (const post of sink.posts.filter((p) => p.path === path)) {
    let level: unknown[] = [post.body];
    for (const key of list) level = level.flatMap((value) => (value as Record<string, unknown[]>)[key] ?? []);
    items.push(...(level as { attributes?: Attribute[] }[]));
  }
  return items.map((item) => (item.attributes ?? []).map((a) => `${a.key}=${a.value.stringValue ?? '?'}`));
}

async function attributesUnder(variables: Parameters<typeof env.telemetry>[2]) {
  const sink = await startRecordingReceiver(cleanups);
  const telemetry = env.telemetry(spec, sink.url, variables, {
    metricExportIntervalMs: 600_000,
  });
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    span.setAttributes({ 'app.a': 'abcdefghij', 'app.b': 'klmnopqrst', 'app.c': 'uvwxyz0123' });
    telemetry.log.event('order.placed', { note: 'abcdefghij' });
    span.end();
  });
  await telemetry.forceFlush();
  return {
    spans: exported(sink, '/v1/traces', ['resourceSpans', 'scopeSpans', 'spans']),
    logs: exported(sink, '/v1/logs', ['resourceLogs', 'scopeLogs', 'logRecords']),
  };
}

it('otel-attribute-limits-ignored: OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT and _COUNT_LIMIT cut spans and log records', async () => {
  // Before: every value whole, all three span attributes.
  expect(
    await attributesUnder({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5', OTEL_ATTRIBUTE_COUNT_LIMIT: '2' }),
  ).toEqual({ spans: [['app.a=abcde', 'app.b=klmno']], logs: [['note=abcde']] });
});

it("otel-attribute-limits-ignored: a signal's own limit over the general one", async () => {
  expect(
    await attributesUnder({
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '3',
      OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT: '7',
      OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '1',
    }),
  ).toEqual({ spans: [['app.a=abc']], logs: [['note=abcdefg']] });
});

it('otel-attribute-limits-ignored: none set, nothing cut', async () => {
  expect(await attributesUnder({})).toEqual({
    spans: [['app.a=abcdefghij', 'app.b=klmnopqrst', 'app.c=uvwxyz0123']],
    logs: [['note=abcdefghij']],
  });
});

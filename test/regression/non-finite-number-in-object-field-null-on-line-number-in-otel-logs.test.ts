// Regression (log review): an `object` field holding Infinity, -Infinity or NaN anywhere inside
// (a ratio over zero, a failed parse) was written `null` on the line, as JSON writes it, but OTel
// Logs was handed the number itself: the two copies of one event disagreed, and an OTLP/JSON
// exporter, which cannot write such a number either, sent `{"doubleValue":null}` for it. OTel
// Logs now gets what the line writes (`null`), on the fast path, pino's validating path and the
// security stream; like the other values JSON writes otherwise (a Date, a Map), it is not a
// violation. Real parts: the event logger over captured destinations and sdk-logs' in-memory
// exporter.
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { bridgedEventLogger } from '../support/bridged-event-logger.js';

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: {
    'job.done': { level: 'info', fields: { job: { type: 'string' }, ctx: { type: 'object' } } },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' }, ctx: { type: 'object' } },
    },
  },
});

it('non-finite-number-in-object-field-null-on-line-number-in-otel-logs: OTel Logs gets null, as the line', async () => {
  const { log, exporter, provider, captured, security } = bridgedEventLogger(spec);
  const values: Record<string, unknown>[] = [
    { ratio: Infinity, count: 0 },
    { stats: { min: -Infinity, mean: NaN, max: 3.5 } },
    { samples: [1, NaN, Infinity, 2] },
    { at: new Date(Date.UTC(2026, 11, 7)), ratio: -Infinity }, // with a value rewritten already
    { ratio: 0.5, nested: { list: [{ ok: 1 }] } }, // finite numbers only: as before
  ];
  for (const [index, ctx] of values.entries()) log.event('job.done', { job: String(index), ctx });
  // pino's validating path (an unknown field sends the call there) and the security stream.
  (log as { event(name: string, fields: unknown): void }).event('job.done', {
    job: 'slow',
    ctx: { ratio: NaN },
    extra: 1,
  });
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied', ctx: { score: Infinity } });
  await log.flush();
  await provider.forceFlush();

  const written = captured.lines.map((line) => line.ctx);
  expect(written).toEqual([
    { ratio: null, count: 0 },
    { stats: { min: null, mean: null, max: 3.5 } },
    { samples: [1, null, null, 2] },
    { at: '2026-12-07T00:00:00.000Z', ratio: null },
    { ratio: 0.5, nested: { list: [{ ok: 1 }] } },
    { ratio: null },
  ]);
  expect(security.lines.map((line) => line.ctx)).toEqual([{ score: null }]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.job ?? record.attributes.source)).toEqual([
    '0',
    '1',
    '2',
    '3',
    '4',
    'slow',
    '10.0.0.1',
  ]);
  expect(records.map((record) => record.attributes.ctx)).toEqual([...written, { score: null }]);
  // Not a violation: the value is written as JSON writes it, as a Date is.
  expect(captured.lines.slice(0, 5).map((line) => line.schema_violations)).toEqual(
    values.map(() => undefined),
  );
});

// Regression (a newcomer's walk through docs/logs.md, "OTel Logs gets the field as the line writes
// it"): an object field holding a Date, a URL, a Map, a class instance or a function somewhere
// inside was written on the line as JSON writes it (the date's text, `{}`, the instance's fields,
// the function left out), but OTel Logs was handed the object itself, which sdk-logs refuses as an
// attribute value (plain data only): the record had no `ctx` at all, without a word. OTel Logs now
// gets what the line writes. Real parts: the event logger over a captured destination and
// sdk-logs' in-memory exporter.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: { 'job.done': { level: 'info', fields: { job: { type: 'string' }, ctx: { type: 'object' } } } },
});

class Attempt {
  constructor(
    readonly number: number,
    readonly queue: string,
  ) {}
}

it('object-field-holding-a-date-dropped-from-otel-logs: OTel Logs gets the field as the line writes it', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });
  const values = [
    { at: new Date(Date.UTC(2026, 11, 7)), step: 1 },
    { url: new URL('https://shop.example/orders?id=7') },
    { seen: new Map([['a', 1]]), kept: true },
    { attempt: new Attempt(2, 'mail') },
    { retry: () => 1, left: ['a'] },
    new Attempt(3, 'sms'),
    { plain: { nested: [1, 'two', { three: null }] } }, // plain data: as before
  ];
  for (const [index, ctx] of values.entries())
    log.event('job.done', { job: String(index), ctx: ctx as Record<string, unknown> });
  await provider.forceFlush();

  const written = captured.lines.map((line) => line.ctx);
  expect(written).toEqual([
    { at: '2026-12-07T00:00:00.000Z', step: 1 },
    { url: 'https://shop.example/orders?id=7' },
    { seen: {}, kept: true },
    { attempt: { number: 2, queue: 'mail' } },
    { left: ['a'] },
    { number: 3, queue: 'sms' },
    { plain: { nested: [1, 'two', { three: null }] } },
  ]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual(written);
  expect(captured.lines.map((line) => line.schema_violations)).toEqual(values.map(() => undefined));
});

// Regression (log review): an object field that JSON cannot write (a cycle, a BigInt inside) was
// written on the line by pino's safe fallback (`"[Circular]"`, the BigInt as a number), but OTel
// Logs was handed the raw object, and sdk-logs dropped the attribute without a word: the record
// had no `ctx` at all. Both now get what the safe fallback writes.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: { 'job.done': { level: 'info', fields: { id: { type: 'string' }, ctx: { type: 'object' } } } },
});

it('gives OTel Logs the same object field as the line when JSON cannot write it', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });
  const cyclic: Record<string, unknown> = { step: 2 };
  cyclic.self = cyclic;
  log.event('job.done', { id: 'a', ctx: cyclic });
  log.event('job.done', { id: 'b', ctx: { bytes: 10n } });
  await provider.forceFlush();
  expect(captured.lines.map((line) => line.ctx)).toEqual([{ step: 2, self: '[Circular]' }, { bytes: 10 }]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual([
    { step: 2, self: '[Circular]' },
    { bytes: 10 },
  ]);
  expect(captured.lines.map((line) => line.schema_violations)).toEqual([undefined, undefined]);
});

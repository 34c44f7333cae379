// Regression (a newcomer's walk through docs/logs.md): an Error given as an `object` field's value
// is written as pino writes `err`, but one nested inside that object (`{ context: { error, attempt } }`,
// `{ errors: [err] }`) was still written as the `{}` JSON makes of it: the line and OTel Logs lost
// its message and stack without a violation or a count (and OTel Logs dropped the whole field).
// A nested Error is now written as a top-level one is: type, message, stack and cause, its own
// fields kept. Real parts: the event logger over a captured destination and sdk-logs' in-memory
// exporter, on the compiled serializer's path (a valid call) and on pino's (a call with a violation,
// a cyclic object).
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: {
    'job.failed': { level: 'error', fields: { job: { type: 'string' }, ctx: { type: 'object' } } },
  },
});

it('error-nested-in-an-object-field-written-as-empty-object: message and stack are kept, on the line and in OTel Logs', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });

  const declined = new TypeError('card declined', { cause: new Error('issuer timeout') });
  const ctx = { error: declined, attempt: 2 };
  log.event('job.failed', { job: 'a', ctx }); // valid: the compiled serializer's path
  const missing = Object.assign(new Error('no such file'), { code: 'ENOENT' });
  log.event('job.failed', { job: 'b', ctx: { errors: [missing] } });
  // @ts-expect-error an undeclared field: pino's path, which repairs the line
  log.event('job.failed', { job: 'c', ctx: { error: new RangeError('too far') }, extra: 1 });
  const cyclic: Record<string, unknown> = { error: new Error('looped') };
  cyclic.self = cyclic; // JSON cannot write it: pino's safe fallback
  log.event('job.failed', { job: 'd', ctx: cyclic });
  await provider.forceFlush();

  const written = captured.lines.map((line) => line.ctx as Record<string, unknown>);
  const error = written[0]!.error as Record<string, unknown>;
  expect(error.type).toBe('TypeError');
  expect(error.message).toBe('card declined: issuer timeout');
  expect(String(error.stack)).toContain('card declined');
  expect(String(error.stack)).toContain('caused by: Error: issuer timeout');
  expect(written[0]!.attempt).toBe(2);
  const listed = (written[1]!.errors as Record<string, unknown>[])[0]!;
  expect([listed.type, listed.message, listed.code]).toEqual(['Error', 'no such file', 'ENOENT']);
  expect((written[2]!.error as Record<string, unknown>).message).toBe('too far');
  expect((written[3]!.error as Record<string, unknown>).message).toBe('looped');
  expect(written[3]!.self).toBe('[Circular]');
  // A valid call stays valid: nothing to list.
  expect(captured.lines.map((line) => line.schema_violations)).toEqual([
    undefined,
    undefined,
    [{ field: 'extra', reason: 'unknown_field' }],
    undefined,
  ]);
  // OTel Logs gets the field as the line writes it.
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual(written);
  // The caller's object is left as it was.
  expect(ctx.error).toBe(declined);
});

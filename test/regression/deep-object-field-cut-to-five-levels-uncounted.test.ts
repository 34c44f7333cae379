// Regression (hostile traffic on a CommonJS express 5 app under NodeSDK, OTel JS 3.x): a request
// body's object nested thousands of levels deep (express.json parses any depth), logged as an
// `object` field, is deeper than JSON.stringify reaches: it threw RangeError, and the field was
// written by pino's safe fallback, cut at 5 levels (`{"d":{"d":{"d":{"d":{"d":"[Object]"}}}}}`),
// with no schema violation and nothing counted; OTel Logs got the same cut copy. Its 25 KB of JSON
// was over the field's 16 KiB cap, which would have left it out as too_long. Now such a field is
// left out, named `unreadable` in schema_violations and counted, like any field JSON cannot write.
// Cycles and BigInt keep pino's fallback (cyclic-object-field-lost-in-otel-logs).
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: { 'job.done': { level: 'info', fields: { id: { type: 'string' }, ctx: { type: 'object' } } } },
});

/** What express.json makes of `{"d":{"d":…}}` sent `depth` levels deep (built without recursion). */
function nested(depth: number, leaf: unknown): Record<string, unknown> {
  let value: unknown = leaf;
  for (let level = 0; level < depth; level++) value = { d: value };
  return value as Record<string, unknown>;
}

/** `{"a":[[[…1…]]]}`: a list nested `depth` levels inside an object. */
function nestedList(depth: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = [value];
  return { a: value };
}

it('leaves out and counts an object field nested deeper than JSON can write, rather than cutting it', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const counted: string[] = [];
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
    onViolation: (event, reason) => counted.push(`${event}:${reason}`),
  });
  log.event('job.done', { id: 'deep', ctx: nested(100_000, 'x') });
  log.event('job.done', { id: 'deep-list', ctx: nestedList(100_000) });
  // Deep but writable: kept whole, as before.
  log.event('job.done', { id: 'fine', ctx: nested(500, 'x') });
  await provider.forceFlush();

  expect(captured.lines.map((line) => line.id)).toEqual(['deep', 'deep-list', 'fine']);
  const [deep, deepList, fine] = captured.lines;
  expect(deep!.ctx).toBeUndefined();
  expect(deep!.schema_violations).toEqual([{ field: 'ctx', reason: 'unreadable' }]);
  expect(deepList!.ctx).toBeUndefined();
  expect(deepList!.schema_violations).toEqual([{ field: 'ctx', reason: 'unreadable' }]);
  expect(fine!.ctx).toEqual(nested(500, 'x'));
  expect(fine!.schema_violations).toBeUndefined();
  expect(counted).toEqual(['job.done:unreadable', 'job.done:unreadable']);

  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual([undefined, undefined, nested(500, 'x')]);
});

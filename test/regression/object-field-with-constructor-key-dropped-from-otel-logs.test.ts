// Regression (hostile traffic on a CommonJS express 5 app under NodeSDK, OTel JS 3.x, Node 22): a
// request body logged as an `object` field with a key named `constructor` anywhere inside
// (`{"constructor":{"prototype":{"x":1}}}`, or a plain `{"constructor":"Foo"}`) was written on the
// line, but OTel's Logs SDK refused the whole field (it takes a map whose `constructor` is not
// Object for a class instance: "Invalid attribute value set for key: ctx" as a diag warning, 2.x
// and 3.x alike), so the exported record had no `ctx` and nothing counted it. OTel Logs now gets
// such a field as its JSON text, on both the fast path and the validating one.
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { expect, it } from 'vitest';
import { createEventLogger, defineTelemetry } from '../../src/index.js';
import { otelLogBridge } from '../../src/logs/otel-bridge.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'job.done': {
      level: 'info',
      fields: { id: { type: 'string' }, ctx: { type: 'object' }, note: { type: 'string', required: false } },
    },
  },
});

it('gives OTel Logs an object field holding a constructor key, which sdk-logs refuses as a map', async () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const captured = captureLines();
  const log = createEventLogger(spec, {
    destination: captured.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });
  // As express.json parses a hostile body: own keys named __proto__ and constructor.
  const hostile = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}') as Record<
    string,
    unknown
  >;
  const nested = { user: { name: 'a', constructor: 'Foo' }, list: [{ constructor: 1 }] };
  log.event('job.done', { id: 'hostile', ctx: hostile });
  log.event('job.done', { id: 'nested', ctx: nested });
  // The same through the validating path (an unknown field sends the call there).
  (log as { event(name: string, fields: unknown): void }).event('job.done', {
    id: 'slow',
    ctx: nested,
    extra: 1,
  });
  log.event('job.done', { id: 'plain', ctx: { constructorName: 'Foo', note: '"constructor":' } });
  await provider.forceFlush();

  expect(captured.lines.map((line) => line.ctx)).toEqual([
    JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}'),
    nested,
    nested,
    { constructorName: 'Foo', note: '"constructor":' },
  ]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.id)).toEqual(['hostile', 'nested', 'slow', 'plain']);
  expect(records.map((record) => record.attributes.ctx)).toEqual([
    '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
    JSON.stringify(nested),
    JSON.stringify(nested),
    // No key of that name: still a map.
    { constructorName: 'Foo', note: '"constructor":' },
  ]);
});

it('gives OTel Logs a folded security summary whose sample holds such a field', async () => {
  const securitySpec = defineTelemetry({
    service: { name: 'edge' },
    events: {
      'auth.failed': {
        level: 'warn',
        security: true,
        fields: { source: { type: 'string' }, outcome: { type: 'string' }, ctx: { type: 'object' } },
      },
    },
  });
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const security = captureLines();
  const log = createEventLogger(securitySpec, {
    destination: captureLines().destination,
    securityDestination: security.destination,
    bridge: otelLogBridge(provider.getLogger('t')),
  });
  const ctx = { user: { constructor: 'Foo' } };
  // The first is written; the next two fold into a summary, written at close with a sample.
  for (let i = 0; i < 3; i++) log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied', ctx });
  await log.close();
  await provider.forceFlush();

  expect(security.lines.map((line) => line.count)).toEqual([1, 2]);
  expect((security.lines[1]!.sample as { ctx: unknown }).ctx).toEqual(ctx);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.attributes.ctx)).toEqual([JSON.stringify(ctx), undefined]);
  expect(records.map((record) => (record.attributes.sample as { ctx?: unknown } | undefined)?.ctx)).toEqual([
    undefined,
    JSON.stringify(ctx),
  ]);
});

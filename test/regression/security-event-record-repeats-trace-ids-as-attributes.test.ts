// Regression (logs trial, ESM fastify 5 app under NodeSDK, OTel JS 3.x): a security event's OTel
// Logs record carried `trace_id`, `span_id` and `trace_flags` as attributes beside the record's own
// trace context, while every other event's record (and the docs: "the trace context and the
// fields as attributes") has the fields only: at the collector, 1 of 41 records in the trial
// had 3 extra attributes, and a query over the attribute `trace_id` found security events only.
// The line keeps its envelope; the record now holds the fields, with the span context as its
// trace context, also for an unreadable call. Real parts: the event logger over captured
// destinations, sdk-logs' in-memory exporter and a real span from sdk-trace.
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { expect, it } from 'vitest';
import { defineTelemetry } from '../../src/index.js';
import { bridgedEventLogger } from '../support/bridged-event-logger.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {
    'order.placed': { level: 'info', fields: { order_id: { type: 'string' } } },
    'auth.failed': {
      level: 'warn',
      security: true,
      fields: { source: { type: 'string' }, outcome: { type: 'string' } },
    },
  },
});

it('security-event-record-repeats-trace-ids-as-attributes: fields only, trace context on the record', async () => {
  const { log, exporter, provider, security } = bridgedEventLogger(spec);
  const span = new BasicTracerProvider().getTracer('t').startSpan('request');
  const inSpan = trace.setSpan(context.active(), span);
  const { traceId, spanId } = span.spanContext();
  log.event('order.placed', { order_id: 'o-1' }, inSpan);
  log.event('auth.failed', { source: '10.0.0.1', outcome: 'denied' }, inSpan);
  const unreadable = {
    get source(): string {
      throw new Error('gone');
    },
  };
  (log as { event(name: string, fields: unknown, c?: unknown): void }).event(
    'auth.failed',
    unreadable,
    inSpan,
  );
  await log.flush();
  await provider.forceFlush();
  span.end();

  // The lines keep the envelope's trace fields.
  expect(security.lines.map((line) => [line.trace_id, line.span_id])).toEqual([
    [traceId, spanId],
    [traceId, spanId],
  ]);
  const records = exporter.getFinishedLogRecords();
  expect(records.map((record) => record.eventName)).toEqual(['order.placed', 'auth.failed', 'auth.failed']);
  for (const record of records) {
    expect(Object.keys(record.attributes)).not.toContain('trace_id');
    expect(Object.keys(record.attributes)).not.toContain('span_id');
    expect(Object.keys(record.attributes)).not.toContain('trace_flags');
  }
  expect(records[1]!.attributes).toEqual({ source: '10.0.0.1', outcome: 'denied', count: 1 });
  expect(records.map((record) => record.spanContext?.spanId)).toEqual([spanId, spanId, spanId]);
});

// The event checks read what plumbline's own logger writes (real lines, real OTel bridge calls)
// and name each deviation: undeclared events, schema failures, sensitive fields in clear, and
// lines without trace_id where the spec or the other lines say a span was open.
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { EventChecker } from '../../src/check/check-events.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import { EVENT_LOGGER_SCOPE, NotSpecLogRecords } from '../../src/check/not-spec-log-records.js';
import { createEventLogger, defineTelemetry, type TelemetrySpec } from '../../src/index.js';
import { SCOPE } from '../../src/telemetry/assemble.js';
import { captureLines } from '../support/capture.js';
import { checkSpec } from './check-spec.js';

const inSpan = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});

function checker(spec: TelemetrySpec = checkSpec): { events: EventChecker; found: () => string[] } {
  const deviations = new Deviations();
  const events = new EventChecker(spec, expectedTelemetry(spec).sensitiveFields, deviations);
  return {
    events,
    found: () => {
      events.finish();
      return deviations.list().map((d) => `${d.kind} ${d.subject}`);
    },
  };
}

function linesOf(write: (log: ReturnType<typeof createEventLogger<typeof checkSpec>>) => void): string[] {
  const capture = captureLines();
  const log = createEventLogger(checkSpec, { destination: capture.destination });
  write(log);
  return capture.raw;
}

describe('EventChecker on log lines', () => {
  it("finds nothing in plumbline's own lines (sensitive field redacted, trace_id from the span)", () => {
    const { events, found } = checker();
    for (const line of linesOf((log) => {
      log.event('order.placed', { order_id: 'o-1', card_number: '4111111111111111' }, inSpan);
      log.event('cache.evicted', { keys: 3 });
    }))
      events.checkLine(line);
    expect(found()).toEqual([]);
    expect(events.lines).toBe(2);
  });

  it('names an event the spec does not declare and a line that is not JSON', () => {
    const { events, found } = checker();
    events.checkLine(
      JSON.stringify({
        time: 't',
        level: 'info',
        event: 'order.shipped',
        service: 'shop',
        schema_version: '1',
      }),
    );
    events.checkLine('listening on 8080');
    expect(found()).toEqual(['undeclared-event order.shipped', 'event-schema (not JSON)']);
  });

  it('names a line that fails its schema, and a line written with schema_violations', () => {
    const { events, found } = checker();
    const [good] = linesOf((log) => log.event('cache.evicted', { keys: 3 }));
    events.checkLine(JSON.stringify({ ...JSON.parse(good!), keys: 'three', extra: 1 }));
    const marked = linesOf((log) => log.event('cache.evicted', { keys: 'many' } as never));
    events.checkLine(marked[0]!);
    expect(found()).toEqual(['event-schema cache.evicted']);
  });

  it('names a sensitive field in clear: in its own event, and under the same name in another', () => {
    const { events, found } = checker();
    const [line] = linesOf((log) => log.event('order.placed', { order_id: 'o-1' }, inSpan));
    events.checkLine(JSON.stringify({ ...JSON.parse(line!), card_number: '4111111111111111' }));
    const [other] = linesOf((log) => log.event('cache.evicted', { keys: 1 }));
    events.checkLine(JSON.stringify({ ...JSON.parse(other!), card_number: '4111111111111111' }));
    const deviations = found();
    expect(deviations).toContain('sensitive-unredacted order.placed.card_number');
    expect(deviations).toContain('sensitive-unredacted cache.evicted.card_number');
    // Reported as a leak, not also as a schema failure of the same field.
    expect(deviations).not.toContain('event-schema order.placed');
  });

  it('names a line without trace_id for an event declared inSpan', () => {
    const { events, found } = checker();
    for (const line of linesOf((log) => log.event('order.placed', { order_id: 'o-1' })))
      events.checkLine(line);
    expect(found()).toEqual(['missing-trace-id order.placed']);
  });

  it('names an event whose lines carry trace_id on one path and not on another', () => {
    const { events, found } = checker();
    for (const line of linesOf((log) => {
      log.event('cache.evicted', { keys: 1 }, inSpan);
      log.event('cache.evicted', { keys: 2 });
    }))
      events.checkLine(line);
    expect(found()).toEqual(['missing-trace-id cache.evicted']);
  });
});

describe('EventChecker on OTLP log records', () => {
  it('regression: security-event records carrying count and the trace envelope are not undeclared fields', () => {
    const spec = defineTelemetry({
      service: { name: 'shop' },
      events: {
        'auth.failed': {
          level: 'warn',
          security: true,
          fields: { source: { type: 'string' }, outcome: { type: 'string' } },
        },
      },
    });
    const deviations = new Deviations();
    const events = new EventChecker(spec, expectedTelemetry(spec).sensitiveFields, deviations);
    events.checkRecord({
      eventName: 'auth.failed',
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      severityText: 'WARN',
      body: null,
      attributes: {
        source: '127.0.0.1',
        outcome: 'wrong_token',
        count: 1,
        trace_id: 'ab'.repeat(16),
        span_id: 'cd'.repeat(8),
        trace_flags: '01',
      },
      resource: {},
      scope: 'plumbline',
    });
    expect(deviations.list()).toEqual([]);
  });

  const record = (
    eventName: string,
    attributes: Record<string, unknown>,
    traceId = '',
    scope = EVENT_LOGGER_SCOPE,
  ) => ({
    eventName,
    traceId,
    spanId: '',
    severityText: 'INFO',
    body: null,
    attributes: attributes as never,
    resource: {},
    scope,
  });

  it('names undeclared events, undeclared attributes, sensitive attributes in clear and a missing trace ID', () => {
    const { events, found } = checker();
    events.checkRecord(
      record('order.placed', { order_id: 'o-1', card_number: '[REDACTED]' }, 'ab'.repeat(16)),
    );
    events.checkRecord(record('order.placed', { order_id: 'o-2', card_number: '4111', coupon: 'x' }));
    events.checkRecord(record('order.shipped', {}));
    expect(found()).toEqual([
      'undeclared-event order.shipped',
      'event-schema order.placed.coupon',
      'missing-trace-id order.placed',
      'sensitive-unredacted order.placed.card_number',
    ]);
  });

  it("lists other loggers' records by scope, checks only their sensitive fields, and checks scope-less ones", () => {
    const deviations = new Deviations();
    const notSpec = new NotSpecLogRecords();
    const events = new EventChecker(
      checkSpec,
      expectedTelemetry(checkSpec).sensitiveFields,
      deviations,
      notSpec,
    );
    const pino = '@opentelemetry/instrumentation-pino';
    // The app's pino lines: no event name, an `event` key of its own, a declared name, a leak.
    events.checkRecord(record('', { reqId: 'r-1' }, '', pino));
    events.checkRecord(record('', { event: 'cart.viewed' }, '', pino));
    events.checkRecord(record('order.placed', { coupon: 'x' }, '', pino));
    events.checkRecord(record('', { card_number: '4111' }, '', pino));
    events.checkRecord(record('audit.entry', {}, '', 'shop-audit'));
    // plumbline's scope, and no scope at all: events, held to the spec.
    events.checkRecord(record('', {}));
    events.checkRecord(record('order.shipped', {}, '', ''));
    events.finish();
    expect(notSpec.list()).toEqual([
      { scope: pino, count: 4 },
      { scope: 'shop-audit', count: 1 },
    ]);
    expect(events.records).toBe(7);
    expect(deviations.list().map((d) => `${d.kind} ${d.subject}: ${d.detail}`)).toEqual([
      'undeclared-event (no event name): event not in the spec (scope plumbline)',
      'undeclared-event order.shipped: event not in the spec (record without an instrumentation scope)',
      `sensitive-unredacted ${pino} card_number: sensitive field card_number in clear, in a log record that is not an event`,
    ]);
  });

  it("names plumbline's event logger by the scope the SDK gives it", () => {
    expect(EVENT_LOGGER_SCOPE).toBe(SCOPE.name);
  });
});

import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanSlab } from '../../src/sampling/span-slab.js';

/** The fields of the ReadableSpan interface, read through it. */
const FIELDS = [
  'name',
  'kind',
  'parentSpanContext',
  'startTime',
  'endTime',
  'duration',
  'status',
  'attributes',
  'links',
  'events',
  'ended',
  'resource',
  'instrumentationScope',
  'droppedAttributesCount',
  'droppedEventsCount',
  'droppedLinksCount',
] as const;

function view(span: ReadableSpan): Record<string, unknown> {
  const fields: Record<string, unknown> = { spanContext: span.spanContext() };
  for (const field of FIELDS) fields[field] = span[field];
  return fields;
}

function capture(): { tracer: ReturnType<BasicTracerProvider['getTracer']>; ended: ReadableSpan[] } {
  const ended: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    spanProcessors: [
      {
        onStart: () => {},
        onEnd: (span) => void ended.push(span),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      },
    ],
  });
  return { tracer: provider.getTracer('slab'), ended };
}

function roundTrip(slab: SpanSlab, span: ReadableSpan): ReadableSpan {
  const record = slab.hold(span);
  const read = slab.read(record, span.spanContext().traceId);
  slab.release(record);
  return read;
}

describe('SpanSlab', () => {
  it('reads back every field of every span it holds, key order of attributes included', () => {
    const { tracer, ended } = capture();
    const remoteParent = trace.setSpanContext(context.active(), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('ot=th:8;rv:0123456789abcd,vendor=x'),
    });
    const linked = tracer.startSpan('linked');
    const many: Record<string, string | number> = {};
    for (let i = 0; i < 40; i++) many[`key.${i}`] = i % 2 === 0 ? `value ${i}` : i;
    const root = tracer.startSpan(
      'GET /orders',
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.route': '/orders', retries: 2, tags: ['a', 'b'], ok: true, ...many },
        links: [{ context: linked.spanContext(), attributes: { why: 'batch' } }],
      },
      remoteParent,
    );
    root.addEvent('cache miss', { key: 'k1' });
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
    const step = tracer.startSpan(
      'SELECT',
      { attributes: { 'db.system': 'postgresql' } },
      trace.setSpan(context.active(), root),
    );
    step.end();
    root.end();
    linked.end();
    const bare = tracer.startSpan('bare');
    bare.end();
    expect(ended).toHaveLength(4);
    const slab = new SpanSlab();
    for (const span of ended) {
      const read = roundTrip(slab, span);
      expect(view(read)).toEqual(view(span));
      expect(Object.keys(read.attributes)).toEqual(Object.keys(span.attributes));
      expect(read.spanContext().traceState?.serialize()).toBe(span.spanContext().traceState?.serialize());
    }
    expect(slab.used).toBe(0);
  });

  it('keeps span IDs the SDK would not generate exactly as they are', () => {
    const slab = new SpanSlab();
    const { tracer, ended } = capture();
    tracer.startSpan('plain').end();
    const sdk = ended[0]!;
    for (const spanId of [
      '00F067AA0BA902B7',
      '00f067aa0ba902b',
      '00f067aa0ba902b7ff',
      'zzf067aa0ba902b7',
      '0\u0130f067aa0ba902b',
    ]) {
      const odd = Object.create(sdk, {
        spanContext: { value: () => ({ ...sdk.spanContext(), spanId }) },
        parentSpanContext: { value: { ...sdk.spanContext(), spanId } },
      }) as ReadableSpan;
      const read = roundTrip(slab, odd);
      expect(read.spanContext().spanId).toBe(spanId);
      expect(read.parentSpanContext?.spanId).toBe(spanId);
    }
    for (const spanId of ['0000000000000000', 'ffffffffffffffff', '0123456789abcdef']) {
      const same = Object.create(sdk, {
        spanContext: { value: () => ({ ...sdk.spanContext(), spanId }) },
      }) as ReadableSpan;
      expect(roundTrip(slab, same).spanContext().spanId).toBe(spanId);
    }
  });

  it('holds a span not shaped like an SDK span as it is', () => {
    const slab = new SpanSlab();
    const handMade = {
      name: 'hand-made',
      spanContext: () => ({
        traceId: '6bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      }),
      attributes: {},
    } as unknown as ReadableSpan; // no times, no status
    const record = slab.hold(handMade);
    expect(slab.isRaw(record)).toBe(true);
    expect(slab.read(record, 'ignored')).toBe(handMade);
    slab.release(record);
    expect(slab.used).toBe(0);
  });

  it('reuses released records: holding and releasing forever does not grow it', () => {
    const slab = new SpanSlab();
    const { tracer, ended } = capture();
    const attributes: Record<string, number> = {};
    for (let i = 0; i < 25; i++) attributes[`a${i}`] = i; // header plus continuation records
    tracer.startSpan('wide', { attributes }).end();
    const span = ended[0]!;
    const held: number[] = [];
    for (let i = 0; i < 3_000; i++) held.push(slab.hold(span));
    const peak = slab.used;
    expect(peak).toBeGreaterThanOrEqual(3_000 * 3);
    for (const record of held) slab.release(record);
    expect(slab.used).toBe(0);
    for (let round = 0; round < 20; round++) {
      const records = Array.from({ length: 3_000 }, () => slab.hold(span));
      expect(slab.used).toBe(peak);
      for (const record of records) slab.release(record);
    }
    const capacity = (slab as unknown as { capacity: number }).capacity;
    expect(capacity).toBeLessThan(peak * 2 + 1);
  });

  it('chains the spans of a trace in the order they are linked', () => {
    const slab = new SpanSlab();
    const { tracer, ended } = capture();
    for (const name of ['a', 'b', 'c']) tracer.startSpan(name).end();
    const records = ended.map((span) => slab.hold(span));
    slab.link(records[0]!, records[1]!);
    slab.link(records[1]!, records[2]!);
    const names: string[] = [];
    for (let record = records[0]!; record >= 0; record = slab.next(record))
      names.push(slab.read(record, ended[0]!.spanContext().traceId).name);
    expect(names).toEqual(['a', 'b', 'c']);
  });
});

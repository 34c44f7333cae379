import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { HeldSpan } from '../../src/sampling/held-span.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig } from './harness.js';

/** Every field a ReadableSpan shows, read through its public interface. */
function view(span: ReadableSpan) {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: span.attributes,
    links: span.links,
    events: span.events,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

describe('HeldSpan', () => {
  it('shows exactly what the SDK span it holds shows', () => {
    const captured: ReadableSpan[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [
        {
          onStart: () => {},
          onEnd: (span) => void captured.push(span),
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
    });
    const tracer = provider.getTracer('held');
    const linked = tracer.startSpan('linked');
    const root = tracer.startSpan('GET /orders', {
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/orders', retries: 2, tags: ['a', 'b'] },
      links: [{ context: linked.spanContext(), attributes: { why: 'batch' } }],
    });
    root.addEvent('cache miss', { key: 'k1' });
    root.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timed out' });
    const step = tracer.startSpan('SELECT', {}, trace.setSpan(context.active(), root));
    step.end();
    root.end();
    linked.end();
    expect(captured).toHaveLength(3);
    for (const span of captured) {
      const held = new HeldSpan(span);
      expect(view(held)).toEqual(view(span));
      expect(HeldSpan.of(held)).toBe(held);
    }
    // The SDK's own objects are shared, not copied (the span itself is what is let go).
    const heldRoot = new HeldSpan(captured[1]!);
    expect(heldRoot.attributes).toBe(captured[1]!.attributes);
    expect(heldRoot.spanContext()).toBe(captured[1]!.spanContext());
  });

  it('a trace kept during the grace is exported with every field of every span', () => {
    const r = rig({ decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] });
    const root = r.tracer.startSpan('handler', { attributes: { tenant: 't1' } });
    root.addEvent('accepted');
    const step = r.tracer.startSpan('step', {}, trace.setSpan(context.active(), root));
    step.end();
    root.end(); // done, nothing matches: held through the grace
    const expected = [view(step as unknown as ReadableSpan), view(root as unknown as ReadableSpan)];
    const detached = r.tracer.startSpan('detached', {}, trace.setSpan(context.active(), root));
    detached.setStatus({ code: SpanStatusCode.ERROR });
    detached.end(); // kept by the error now
    const exported = r.exported();
    expect(exported.map((span) => span.name)).toEqual(['step', 'handler', 'detached']);
    for (let i = 0; i < 2; i++) {
      const { attributes, spanContext, ...rest } = view(exported[i]!);
      const { attributes: originalAttributes, spanContext: originalContext, ...originalRest } = expected[i]!;
      expect(rest).toEqual(originalRest);
      expect(attributes).toEqual({ ...originalAttributes, [POLICY_ATTRIBUTE]: 'errors' });
      expect(spanContext.spanId).toBe(originalContext.spanId);
      expect(spanContext.traceState?.get('ot')).toBe('th:0');
    }
  });
});

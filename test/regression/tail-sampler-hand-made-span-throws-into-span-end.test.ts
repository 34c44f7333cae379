// Regression: a hand-made ReadableSpan with no start or end time made the tail sampler throw
// into span.end when it tried to hold the span compactly (fixed in 92e8dea: held as it is).
import { describe, expect, it } from 'vitest';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { rig } from '../sampling/harness.js';

describe('tail sampler: a hand-made span never throws into span.end', () => {
  it('holds a hand-made span that is not shaped like an SDK span as it is, and still decides it', async () => {
    const r = rig({ decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] });
    const handMade = {
      name: 'hand-made',
      kind: SpanKind.INTERNAL,
      spanContext: () => ({
        traceId: '6bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      }),
      parentSpanContext: undefined,
      attributes: {},
      events: [],
      links: [],
      status: { code: SpanStatusCode.UNSET },
      duration: [0, 1_000_000],
      resource: { attributes: {} },
    } as unknown as ReadableSpan; // no start or end time
    expect(() => {
      r.processor.onStart(handMade as never, context.active());
      r.processor.onEnd(handMade); // done, not kept: waits the grace, held as it is
    }).not.toThrow();
    expect(r.processor.stats().bufferedTraces).toBe(1);
    await r.processor.forceFlush();
    expect(r.processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 1 });
  });
});

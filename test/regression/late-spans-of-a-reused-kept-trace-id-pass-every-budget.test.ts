// Regression (hostile-traffic trial): spans that end after their trace was decided follow the
// decision, and nothing bounded how many followed a kept one. A client sent one failing request
// with trace ID X (kept by the errors policy), then ordinary requests with `traceparent
// 00-X-<span>-01`: every one was a late span of X and was kept, 201,040 spans in 10 s past a
// 10/s budget (one keep from the budget, 16 ceiling refusals). A kept trace now takes at most
// maxSpansPerTrace late spans; the rest are dropped and counted.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig } from '../sampling/harness.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 0,
  maxSpansPerTrace: 100,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'baseline', kind: 'budget', tracesPerSecond: 10 },
  ],
};
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

function request(r: ReturnType<typeof rig>, i: number, fail: boolean): void {
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: (i + 1).toString(16).padStart(16, '0'),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const span = r.tracer.startSpan(fail ? 'GET /err' : 'GET /ok', { kind: SpanKind.SERVER }, parent);
  if (fail) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  r.clock.advance(1);
}

describe('late spans of a reused kept trace ID pass every budget', () => {
  it('keeps at most maxSpansPerTrace late spans of one kept trace, and counts the rest', () => {
    const r = rig(SPEC);
    request(r, 0, true); // kept by the errors policy
    expect(r.exported()).toHaveLength(1);
    for (let i = 1; i <= 5_000; i++) request(r, i, false);
    // The first request's span, then 100 late spans.
    expect(r.exported()).toHaveLength(1 + 100);
    const stats = r.processor.stats();
    expect(stats.lateSpans).toEqual({ kept: 100, dropped: 4_900 });
    expect(stats.lateSpansCapped).toBe(4_900);
  });

  it('still lets late spans of a kept trace follow it up to the cap', () => {
    const r = rig(SPEC);
    const root = r.tracer.startSpan('GET /err', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    root.setStatus({ code: SpanStatusCode.ERROR });
    root.end(); // decided: kept by the errors policy
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    for (let i = 0; i < 3; i++) r.tracer.startSpan(`flush ${i}`, {}, ctx).end(); // late spans
    expect(r.exported().map((span) => span.name)).toEqual(['GET /err', 'flush 0', 'flush 1', 'flush 2']);
    expect(r.processor.stats().lateSpans).toEqual({ kept: 3, dropped: 0 });
    expect(r.processor.stats().lateSpansCapped).toBe(0);
  });
});

// Regression (sampler review): a caller whose one trace calls this service more than once (a
// gateway or a job calling a backend in turn, a client retrying with its traceparent) reaches
// it with server spans of one trace ID, each a local root under a remote parent. The first call
// was decided alone when it was done (dropped after the grace: no error, over the budget); every
// later call of that trace was then taken for a late span of the dropped trace and dropped
// with it, its error too: a 500 the errors policy is meant to keep every time was lost (second
// call: 0 spans exported, stats().lateSpans.dropped 1, decisions.errors.keep 0). A local root
// under a remote parent now starts a local part of its own unless its trace was kept (it then
// still follows the keep, up to maxSpansPerTrace late spans); spans under a local parent still
// follow the decision of their trace.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig } from '../sampling/harness.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 100,
  policies: [{ name: 'errors', kind: 'errors' }],
};
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

/** One call of the caller's trace reaching this service: a server span and a child. */
function call(r: ReturnType<typeof rig>, attempt: number, status: number) {
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: `b7ad6b71692033${attempt.toString(16).padStart(2, '0')}`,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  const server = r.tracer.startSpan(`GET /orders #${attempt}`, { kind: SpanKind.SERVER }, parent);
  const query = r.tracer.startSpan(`SELECT #${attempt}`, {}, trace.setSpan(parent, server));
  if (status >= 500) query.setStatus({ code: SpanStatusCode.ERROR });
  query.end();
  server.setAttribute('http.response.status_code', status);
  server.end();
  return server;
}

describe('an error call after a dropped call of the same trace', () => {
  it('is kept by the errors policy', () => {
    const r = rig(SPEC);
    call(r, 1, 200);
    r.clock.advance(100);
    r.processor.decideDue(); // the first call: dropped
    expect(r.exported()).toHaveLength(0);
    r.clock.advance(400);
    call(r, 2, 503);
    // Before: [] (the second call dropped as a late span of the first).
    expect(r.exported().map((span) => span.name)).toEqual(['SELECT #2', 'GET /orders #2']);
    const stats = r.processor.stats();
    expect(stats.decisions['errors']).toEqual({ keep: 1, drop: 0 });
    expect(stats.decisions['no-match']).toEqual({ keep: 0, drop: 1 });
    expect(stats.lateSpans).toEqual({ kept: 0, dropped: 0 });
  });

  it('still drops a detached span of the dropped call, and counts it', () => {
    const r = rig(SPEC);
    const server = call(r, 1, 200);
    r.clock.advance(100);
    r.processor.decideDue();
    const detached = r.tracer.startSpan('flush cache', {}, trace.setSpan(ROOT_CONTEXT, server));
    detached.setStatus({ code: SpanStatusCode.ERROR });
    detached.end();
    expect(r.exported()).toHaveLength(0);
    expect(r.processor.stats().lateSpans).toEqual({ kept: 0, dropped: 1 });
  });

  it('remembers the drop once for a caller reusing one trace ID', () => {
    // The dropped-decision ring holds 8 traces: 50 dropped calls of one reused ID written 50
    // times would push every other drop out of it, and a detached span of another dropped
    // trace would be taken for a new trace.
    const r = rig(SPEC, { processor: { keptDecisionCacheSize: 1, droppedDecisionCacheSize: 8 } });
    const other = r.tracer.startSpan('GET /other', { kind: SpanKind.SERVER });
    other.end();
    r.clock.advance(100);
    r.processor.decideDue();
    for (let attempt = 1; attempt <= 50; attempt++) {
      call(r, attempt, 200);
      r.clock.advance(100);
      r.processor.decideDue();
    }
    expect(r.processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 51 });
    r.tracer.startSpan('flush cache', {}, trace.setSpan(ROOT_CONTEXT, other)).end();
    expect(r.processor.stats().lateSpans).toEqual({ kept: 0, dropped: 1 });
    expect(r.processor.stats().bufferedTraces).toBe(0);
  });

  it('still lets a later call follow a kept trace', () => {
    const r = rig(SPEC);
    call(r, 1, 503); // kept at once
    call(r, 2, 200);
    expect(r.exported().map((span) => span.name)).toEqual([
      'SELECT #1',
      'GET /orders #1',
      'SELECT #2',
      'GET /orders #2',
    ]);
    expect(r.processor.stats().lateSpans).toEqual({ kept: 2, dropped: 0 });
  });
});

// Regression (sampler review): the link index (a trace waiting for the buffered traces its spans
// link to) took one entry per link, not per pair of traces, and links are registered as spans
// start, past every per-trace cap. A consumer trace of 20,000 message spans, each with 128 links
// to one producer trace still open, held 2,560,000 entries (and pendingLinks 2,560,000) for as
// long as the producer stayed buffered (up to maxTraceAgeMs): about 28 MB of heap against about
// 3.6 MB now, uncounted by maxBytes. A linking trace now takes one entry per trace it links to.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { LinkIndex, type LinkingTrace } from '../../src/sampling/link-index.js';
import { LINKED_POLICY } from '../../src/sampling/linked-policy.js';
import { rig } from '../sampling/harness.js';

function linker(): LinkingTrace {
  return { pendingLinks: 0, linkedKept: false, evaluated: false, changed: false };
}

describe('link index grows per duplicate link', () => {
  it('holds one entry per linking trace and linked trace', () => {
    const index = new LinkIndex<LinkingTrace>();
    const consumer = linker();
    const other = linker();
    for (let i = 0; i < 20_000; i++) {
      index.add('producer', consumer);
      index.add('producer', other);
    }
    index.add('another producer', consumer);
    // Before: 40,001 (one per link).
    expect(consumer.pendingLinks).toBe(2);
    expect(other.pendingLinks).toBe(1);
    index.decided('producer', true);
    expect(consumer.pendingLinks).toBe(1);
    expect(other.pendingLinks).toBe(0);
    expect(consumer.linkedKept && other.linkedKept).toBe(true);
    expect(index.size).toBe(1);
    index.decided('another producer', false);
    expect(consumer.pendingLinks).toBe(0);
    expect(index.size).toBe(0);
  });

  it('still keeps a consumer whose many links point at a kept producer', () => {
    const r = rig({ decisionWaitMs: 100, policies: [{ name: 'errors', kind: 'errors' }] });
    const producer = r.tracer.startSpan('POST /publish', { kind: SpanKind.SERVER });
    const links = Array.from({ length: 128 }, () => ({ context: producer.spanContext() }));
    const consumer = r.tracer.startSpan('consume batch', { kind: SpanKind.CONSUMER });
    const ctx = trace.setSpan(ROOT_CONTEXT, consumer);
    for (let i = 0; i < 50; i++) r.tracer.startSpan('process message', { links }, ctx).end();
    consumer.end(); // done, waits for the producer
    r.clock.advance(100);
    r.processor.decideDue();
    expect(r.exported()).toHaveLength(0);
    producer.setStatus({ code: SpanStatusCode.ERROR });
    producer.end(); // kept: the consumer with it, at the end of its next grace
    r.clock.advance(100);
    r.processor.decideDue();
    expect(r.exportedTraces()).toEqual(
      new Set([producer.spanContext().traceId, consumer.spanContext().traceId]),
    );
    expect(r.processor.stats().decisions[LINKED_POLICY]).toEqual({ keep: 1, drop: 0 });
  });
});

// Regression (sampler review): a trace may hold at most an eighth of maxBytes, and a span past
// that is cut and counted. A local root past it was cut too, yet the processor still held it
// (the policies read the root: its duration, its route, its budget key) until the trace was
// decided, uncounted: 200 upload requests whose root carried a 600,000-character body
// attribute were all held through the grace under an 8 MiB maxBytes (about 120 MB of heap
// measured, stats().bufferedBytes 0, no eviction), and an error on such a root was not seen by
// the errors policy, which reads the held spans (the trace dropped, no span exported). Such a
// root is now held only while its trace is decided, at once, counted as a maxBytes eviction.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { TRUNCATED_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig } from '../sampling/harness.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 100,
  maxBytes: 8 * 1024 * 1024, // a trace holds at most 1 MiB
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'slow', kind: 'latency', thresholdMs: 500 },
  ],
};

/** A fresh 600,000-character string (about 1.2 MB as the estimate counts it). */
function body(): string {
  return Buffer.alloc(600_000, 98).toString('latin1');
}

describe('a local root too big for its trace', () => {
  it('is not held past the cap: its trace is decided at once and counted', () => {
    const r = rig(SPEC);
    for (let i = 0; i < 200; i++) {
      const root = r.tracer.startSpan('POST /upload', { kind: SpanKind.SERVER });
      root.setAttribute('http.request.body', body());
      root.end();
    }
    const stats = r.processor.stats();
    // Before: 200 traces held (their roots, 240 MB as counted), bufferedBytes 0, no eviction.
    expect(stats.bufferedTraces).toBe(0);
    expect(stats.evictions.maxBytes).toBe(200);
    expect(stats.bufferedBytes).toBe(0);
    expect(stats.decisions['no-match']).toEqual({ keep: 0, drop: 200 });
  });

  it('still runs the policies on the root, and exports it when they keep it', () => {
    const r = rig(SPEC);
    const root = r.tracer.startSpan('POST /upload', { kind: SpanKind.SERVER });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    r.tracer.startSpan('store chunk', {}, ctx).end();
    root.setAttribute('http.request.body', body());
    root.setStatus({ code: SpanStatusCode.ERROR });
    root.end();
    const exported = r.exported();
    // Before: [] (the root cut, its error unseen: dropped as no-match).
    expect(exported.map((span) => span.name)).toEqual(['store chunk', 'POST /upload']);
    expect(exported[1]!.attributes['http.request.body']).toHaveLength(600_000);
    expect(exported.some((span) => span.attributes[TRUNCATED_ATTRIBUTE] !== undefined)).toBe(false);
    expect(r.processor.stats().decisions['errors']).toEqual({ keep: 1, drop: 0 });
    expect(r.processor.stats().truncatedSpans).toBe(0);
    // Work that ends later follows the keep.
    r.tracer.startSpan('audit', {}, ctx).end();
    expect(r.exported().map((span) => span.name)).toEqual(['store chunk', 'POST /upload', 'audit']);
  });

  it('reads a slow root before letting it go', () => {
    const r = rig(SPEC);
    const root = r.tracer.startSpan('POST /upload', {
      kind: SpanKind.SERVER,
      startTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)),
    });
    root.setAttribute('http.request.body', body());
    root.end(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 900)));
    expect(r.processor.stats().decisions['slow']).toEqual({ keep: 1, drop: 0 });
  });
});

// Regression (sampler review): maxBytes is the tail sampler's cap on the heap its held spans
// keep, read from an estimate per span that counted the strings of string-valued attributes
// only. An array attribute counted 16 bytes per element whatever its strings, and an event or a
// link a fixed 160 / 120 bytes whatever its attributes: a recorded exception's stack trace, a
// list of header values. 400 traces, each a span with 20 x 5,000 characters in one array
// attribute and a 50,000-character exception event, were all held under a 4 MiB maxBytes
// (stats().bufferedBytes 389,600 for about 61 MB of heap measured, no eviction). The estimate now
// counts the strings in arrays and the names and attributes of events and links.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig } from '../sampling/harness.js';

const MAX_BYTES = 4 * 1024 * 1024;
const SPEC: SamplingSpec = {
  decisionWaitMs: 100,
  maxTraces: 100_000,
  maxBytes: MAX_BYTES,
  policies: [{ name: 'errors', kind: 'errors' }],
};
const TRACES = 400;

/** A fresh string of `length` characters (not a slice or a rope of a shared one). */
function text(length: number, seed: number): string {
  return Buffer.alloc(length, 97 + (seed % 26)).toString('latin1');
}

/**
 * Ends TRACES one-span traces (none kept: they wait out the grace), each carrying `chars`
 * characters of strings through `annotate`; returns what the sampler says it holds.
 */
function holdTraces(annotate: (span: Span, i: number) => void, chars: number) {
  const r = rig(SPEC);
  for (let i = 0; i < TRACES; i++) {
    const span = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    annotate(span, i);
    span.end();
  }
  const stats = r.processor.stats();
  return { stats, heldChars: stats.bufferedSpans * chars };
}

describe('held bytes miss event and array strings', () => {
  it('counts the strings of an array attribute against maxBytes', () => {
    const { stats, heldChars } = holdTraces((span, i) => {
      span.setAttribute(
        'http.request.header.cookie',
        Array.from({ length: 20 }, (_, j) => text(5_000, i + j)),
      );
    }, 100_000);
    // Before: 400 spans held (40,000,000 characters) under a 4 MiB cap, 20,800 bytes counted.
    expect(heldChars).toBeLessThanOrEqual(MAX_BYTES);
    expect(stats.bufferedBytes).toBeGreaterThanOrEqual(heldChars);
    expect(stats.evictions.maxBytes).toBeGreaterThan(0);
  });

  it("counts a recorded exception's stack trace against maxBytes", () => {
    const { stats, heldChars } = holdTraces((span, i) => {
      const error = new Error(text(50_000, i));
      span.recordException(error);
    }, 50_000);
    expect(heldChars).toBeLessThanOrEqual(MAX_BYTES);
    expect(stats.bufferedBytes).toBeGreaterThanOrEqual(heldChars);
    expect(stats.evictions.maxBytes).toBeGreaterThan(0);
  });

  it("counts a link's attributes against maxBytes", () => {
    const r = rig(SPEC);
    for (let i = 0; i < TRACES; i++) {
      const link = {
        context: {
          traceId: (i + 1).toString(16).padStart(32, 'a'),
          spanId: (i + 1).toString(16).padStart(16, 'b'),
          traceFlags: TraceFlags.SAMPLED,
        },
        attributes: { 'messaging.message.body': text(50_000, i) },
      };
      r.tracer.startSpan('process batch', { kind: SpanKind.CONSUMER, links: [link] }, ROOT_CONTEXT).end();
    }
    const stats = r.processor.stats();
    expect(stats.bufferedSpans * 50_000).toBeLessThanOrEqual(MAX_BYTES);
    expect(stats.bufferedBytes).toBeGreaterThanOrEqual(stats.bufferedSpans * 50_000);
    expect(stats.evictions.maxBytes).toBeGreaterThan(0);
  });

  it('still holds ordinary spans and keeps what the policies keep', () => {
    const r = rig(SPEC);
    const root = r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER });
    root.setAttribute('http.request.header.accept', ['application/json', 'text/plain']);
    root.addEvent('cache miss', { key: 'orders:42' });
    const child = r.tracer.startSpan('SELECT orders', {}, trace.setSpan(ROOT_CONTEXT, root));
    child.recordException(new Error('connection reset'));
    child.setStatus({ code: 2 });
    child.end();
    root.end();
    expect(r.exported().map((span) => span.name)).toEqual(['SELECT orders', 'GET /orders']);
    expect(r.processor.stats().evictions.maxBytes).toBe(0);
    expect(r.processor.stats().bufferedBytes).toBe(0);
  });
});

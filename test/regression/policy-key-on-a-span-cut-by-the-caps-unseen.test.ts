// Regression (standing item of sessions 14-16): the latency policy's routes and a budget's key are
// read from any span of the trace, as the collector reads them (string_attribute: resource OR
// span). A span the per-trace caps cut was not held, so its route or key was never read: a slow
// checkout whose route rode on a framework's handler span (not the server span) was held to the
// default threshold once the trace passed maxSpansPerTrace, and dropped (0 kept where the
// collector, which cuts nothing, keeps it); a budget's traces lost their key and were counted
// under "others". The trace now remembers what a cut span carried of the attributes the policies
// read (TraceView.cutCarried), and the policies read it as they read a held span's.
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import type { SamplingSpec } from '../../src/spec/types.js';
import { CUT_SPANS_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig, type Rig } from '../sampling/harness.js';

/**
 * One request of `children` child spans, the last of which (a handler span, as fastify's
 * instrumentation makes) carries the route; the server span carries none. The root runs `ms`.
 */
function request(r: Rig, route: string, ms: number, children: number): void {
  const start = Date.now();
  const root = r.tracer.startSpan('GET', { kind: SpanKind.SERVER, startTime: start });
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  const spans: Span[] = [];
  for (let i = 0; i < children; i++) spans.push(r.tracer.startSpan(`child ${i}`, {}, parent));
  spans.at(-1)!.setAttribute('http.route', route);
  for (const span of spans) span.end();
  root.end(start + ms);
  r.clock.advance(1_000);
  r.processor.decideDue();
}

describe('regression: a policy key on a span cut by the caps is unseen', () => {
  const latency = (maxSpansPerTrace: number): SamplingSpec => ({
    maxSpansPerTrace,
    policies: [{ name: 'slow', kind: 'latency', thresholdMs: 5_000, routes: { '/checkout': 100 } }],
  });

  it("keeps a slow trace by its route's threshold when the span carrying the route was cut", () => {
    // Held whole, the route is read from the handler span: kept by its 100 ms threshold.
    const whole = rig(latency(10));
    request(whole, '/checkout', 300, 3);
    expect(whole.processor.stats().decisions['slow']).toEqual({ keep: 1, drop: 0 });

    // Over the cap the handler span is cut; its route still applies. Before: 0 kept, no-match 1.
    const cut = rig(latency(2));
    request(cut, '/checkout', 300, 3);
    expect(cut.processor.stats().truncatedSpans).toBe(2);
    expect(cut.processor.stats().decisions['slow']).toEqual({ keep: 1, drop: 0 });
    const root = cut.exported().find((span) => span.name === 'GET')!;
    expect(root.attributes[CUT_SPANS_ATTRIBUTE]).toBe(2);
  });

  it('holds a trace whose cut spans carry an unlisted route to the default threshold', () => {
    const cut = rig(latency(2));
    request(cut, '/health', 300, 3);
    expect(cut.processor.stats().decisions['no-match']).toEqual({ keep: 0, drop: 1 });
  });

  it('counts a trace under its budget key when the span carrying the key was cut', () => {
    const spec: SamplingSpec = {
      maxSpansPerTrace: 2,
      policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 100, key: 'http.route' }],
    };
    const r = rig(spec);
    request(r, '/checkout', 10, 3);
    // Before: the trace was keyed by no value ("others"), and /checkout had no budget state.
    expect(Object.keys(r.processor.stats().thresholdsByPolicy['baseline']!)).toEqual(['/checkout']);
  });
});

// The processor reuses the buffer of a decided trace for a new one once no queue holds it, and
// holds the spans of done traces in the slab through the grace. Neither may mix up traces.
import { describe, expect, it } from 'vitest';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { buildPolicies } from '../../src/sampling/build-policies.js';
import type { SamplingPolicy, TraceView } from '../../src/sampling/policy.js';
import { ABSTAIN } from '../../src/sampling/policy.js';
import { CUT_SPANS_ATTRIBUTE, TRUNCATED_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { rig, seededRandom } from './harness.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 10,
  maxTraces: 8,
  policies: [{ name: 'errors', kind: 'errors' }],
};

/** Abstains, and checks on every run that the trace it is shown holds only that trace's spans. */
class Watcher implements SamplingPolicy {
  readonly name = 'watcher';
  readonly kind = 'watcher';
  readonly idsByView = new Map<TraceView, Set<string>>();
  mixedUp = 0;
  evaluate(view: TraceView) {
    const ids = this.idsByView.get(view) ?? new Set<string>();
    ids.add(view.traceId);
    this.idsByView.set(view, ids);
    for (const span of view.spans) if (span.spanContext().traceId !== view.traceId) this.mixedUp++;
    if (view.localRoot !== undefined && view.localRoot.spanContext().traceId !== view.traceId) this.mixedUp++;
    return ABSTAIN;
  }
}

interface Expected {
  readonly keep: boolean;
  /** span ID -> [name, parent span ID] */
  readonly spans: Map<string, [string, string | undefined]>;
}

describe('tail sampler: buffer reuse and the slab', () => {
  it('decides and exports every trace as its own under a long run of reused buffers', async () => {
    const watcher = new Watcher();
    const r = rig(SPEC, { processor: { policies: [...buildPolicies(SPEC.policies), watcher] } });
    const random = seededRandom(24);
    const expected = new Map<string, Expected>();
    const record = (e: Expected, span: Span, name: string, parent?: Span) =>
      e.spans.set(span.spanContext().spanId, [name, parent?.spanContext().spanId]);
    const lateDropped: Span[] = [];
    for (let i = 0; i < 600; i++) {
      const root = r.tracer.startSpan(`root ${i}`, { attributes: { i, route: `/r/${i % 3}` } });
      const traceId = root.spanContext().traceId;
      const error = random() < 0.1;
      const detached = random() < 0.2;
      const detachedError = detached && random() < 0.5;
      const e: Expected = { keep: error || detachedError, spans: new Map() };
      expected.set(traceId, e);
      record(e, root, `root ${i}`);
      const step = r.tracer.startSpan(
        `step ${i}`,
        { attributes: { n: i } },
        trace.setSpan(context.active(), root),
      );
      record(e, step, `step ${i}`, root);
      if (error) step.setStatus({ code: SpanStatusCode.ERROR, message: `failed ${i}` });
      step.end();
      root.end(); // done: an error is kept now, the rest wait out the grace
      if (detached) {
        // Work the request left behind ends within the grace; an error keeps the whole trace.
        r.clock.advance(1);
        const late = r.tracer.startSpan(`detached ${i}`, {}, trace.setSpan(context.active(), root));
        record(e, late, `detached ${i}`, root);
        if (detachedError) late.setStatus({ code: SpanStatusCode.ERROR });
        late.end();
      }
      if (i % 50 === 25) {
        // A span that outlives its trace's decision (the cap evicts the trace first).
        const open = r.tracer.startSpan(`outlives ${i}`, {}, trace.setSpan(context.active(), root));
        lateDropped.push(open);
        if (!e.keep) e.spans.delete(open.spanContext().spanId);
      }
      r.clock.advance(Math.floor(random() * 4));
      r.processor.decideDue();
    }
    for (const open of lateDropped) open.end();
    await r.processor.forceFlush();

    // Reuse happened: one TraceView object was shown for several traces, never mixed up.
    expect([...watcher.idsByView.values()].some((ids) => ids.size > 1)).toBe(true);
    expect(watcher.mixedUp).toBe(0);

    const exportedByTrace = new Map<string, Map<string, [string, string | undefined]>>();
    for (const span of r.exported()) {
      const { traceId, spanId } = span.spanContext();
      const spans = exportedByTrace.get(traceId) ?? new Map<string, [string, string | undefined]>();
      expect(spans.has(spanId)).toBe(false); // exported once
      spans.set(spanId, [span.name, span.parentSpanContext?.spanId]);
      exportedByTrace.set(traceId, spans);
    }
    const kept = [...expected].filter(([, e]) => e.keep);
    expect(kept.length).toBeGreaterThan(50);
    expect(new Set(exportedByTrace.keys())).toEqual(new Set(kept.map(([id]) => id)));
    for (const [traceId, e] of kept) {
      // Every span of a kept trace, with its own IDs and parent, late spans of kept traces too.
      const spans = exportedByTrace.get(traceId)!;
      for (const [spanId, entry] of e.spans) expect(spans.get(spanId)).toEqual(entry);
      for (const spanId of spans.keys())
        expect(e.spans.has(spanId) || spans.get(spanId)![0].startsWith('outlives')).toBe(true);
    }
    const stats = r.processor.stats();
    const decided = Object.values(stats.decisions).reduce((sum, o) => sum + o.keep + o.drop, 0);
    expect(decided).toBe(600);
    expect(stats.bufferedSpans).toBe(0);
    expect(stats.bufferedBytes).toBe(0);
    expect(stats.evictions.maxTraces).toBeGreaterThan(0);
  });

  it('a late error over the span cap during the grace displaces a held span, and the root says so', () => {
    const r = rig({
      decisionWaitMs: 10,
      maxSpansPerTrace: 3,
      policies: [{ name: 'errors', kind: 'errors' }],
    });
    const root = r.tracer.startSpan('root', {
      attributes: { tenant: 't1', plan: 'pro', region: 'eu', tier: 2 },
    });
    const parent = trace.setSpan(context.active(), root);
    r.tracer.startSpan('first', { attributes: { n: 1 } }, parent).end();
    r.tracer.startSpan('second', { attributes: { n: 2 } }, parent).end();
    root.end(); // done, nothing matches: its three spans wait in the slab
    expect(r.exported()).toHaveLength(0);
    const late = r.tracer.startSpan('late', {}, parent);
    late.setStatus({ code: SpanStatusCode.ERROR });
    late.end(); // over the cap: the oldest ordinary held span makes room, and the error keeps the trace
    r.clock.advance(10);
    r.processor.decideDue();
    const exported = r.exported();
    expect(exported.map((span) => span.name)).toEqual(['second', 'root', 'late']);
    const exportedRoot = exported[1]!;
    expect(exportedRoot.attributes).toMatchObject({ tenant: 't1', plan: 'pro', region: 'eu', tier: 2 });
    expect(exportedRoot.attributes[TRUNCATED_ATTRIBUTE]).toBe(true);
    expect(exportedRoot.attributes[CUT_SPANS_ATTRIBUTE]).toBe(1);
    expect(exported[0]!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(exported[0]!.attributes).toMatchObject({ n: 2 });
    expect(r.processor.stats().bufferedSpans).toBe(0);
  });
});

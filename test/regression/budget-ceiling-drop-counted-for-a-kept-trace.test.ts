// Regression (sampling review): `budgetCeilingDrops` was counted when the budget's ceiling refused
// a keep, not when the trace was dropped. A trace refused by the ceiling waits out the grace, and a
// span that ends meanwhile (detached work failing, an exemplar marked) can move its decision to an
// earlier rule: the errors policy then kept a trace the stats still counted as a ceiling drop (185
// counted for 184 dropped in the review's run). Counted ceiling drops now equal the traces the
// ceiling actually dropped.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const SPEC: SamplingSpec = {
  decisionWaitMs: 100,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'baseline', kind: 'budget', tracesPerSecond: 1 },
  ],
};

const random = seededRandom(11);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

describe('regression: budget ceiling drop counted for a kept trace', () => {
  it('does not count a ceiling refusal that a late error overrules', () => {
    const r = rig(SPEC);
    const TRACES = 200;
    /** Every 10th trace: a detached span with an error ends during the grace. */
    const lateError = (i: number) => i % 10 === 9;
    for (let i = 0; i < TRACES; i++) {
      // Randomness chosen high (the last 14 digits start with fff): past any threshold, so only the
      // ceiling (2 x 1 + 10 a second) holds the flood back.
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: `${hex(18)}fff${hex(11)}`,
        spanId: (i + 1).toString(16).padStart(16, '0'),
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const root = r.tracer.startSpan('POST /events', { kind: SpanKind.SERVER }, parent);
      const rootContext = trace.setSpan(ROOT_CONTEXT, root);
      root.end();
      r.clock.advance(1);
      if (lateError(i)) {
        const detached = r.tracer.startSpan('flush', {}, rootContext);
        detached.setStatus({ code: SpanStatusCode.ERROR });
        detached.end();
      }
      r.clock.advance(4);
      r.processor.decideDue();
    }
    r.clock.advance(1000);
    r.processor.decideDue();

    const stats = r.processor.stats();
    const exported = r.exportedTraces().size;
    // The late errors kept their traces (those the budget had not kept already, at once).
    expect(stats.decisions.errors!.keep).toBeGreaterThan(TRACES / 20);
    expect(
      stats.decisions.errors!.keep + stats.decisions.baseline!.keep + stats.decisions.baseline!.drop,
    ).toBe(TRACES);
    expect(exported).toBe(stats.decisions.errors!.keep + stats.decisions.baseline!.keep);
    // The ceiling refused keeps (a 1/s budget and 200 traces/s of chosen randomness)...
    expect(stats.budgetCeilingDrops.baseline).toBeGreaterThan(100);
    // ...and every one it counted is a trace the baseline dropped (no threshold drops here).
    expect(stats.budgetCeilingDrops.baseline).toBe(stats.decisions.baseline!.drop);
  });
});

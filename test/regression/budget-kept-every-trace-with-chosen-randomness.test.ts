// Regression: the baseline (and error) budget decided by `randomness >= threshold` alone, and the
// randomness is the last 14 hex digits of the trace ID, or the `ot=rv` of the tracestate, both
// of which a client sends in its traceparent/tracestate. A client that chose them all high
// passed every threshold: a flood of 1,000 such traces/s under a 10 traces/s budget kept all of
// them, so the budget bounded nothing. Now a key keeps at most about twice its allocation plus
// 10 per second, and the keeps refused over that are counted.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type TraceState } from '@opentelemetry/api';
import { TraceState as CoreTraceState } from '@opentelemetry/core';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom, type Rig } from '../sampling/harness.js';

const BUDGET: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'baseline', kind: 'budget', tracesPerSecond: 10 },
  ],
};
const SECONDS = 10;
const PER_SECOND = 1000;

/** Drives requests at 1,000/s for 10 s, each a server span under the remote parent `parentOf(i)` returns. */
function flood(r: Rig, parentOf: (i: number) => { traceId: string; traceState?: TraceState }): void {
  for (let i = 0; i < SECONDS * PER_SECOND; i++) {
    const { traceId, traceState } = parentOf(i);
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      ...(traceState === undefined ? {} : { traceState }),
    });
    r.tracer.startSpan('POST /events', { kind: SpanKind.SERVER }, parent).end();
    r.clock.advance(1000 / PER_SECOND);
  }
}

const random = seededRandom(7);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

describe('regression: budget kept every trace with chosen randomness', () => {
  it('holds trace IDs chosen with high randomness to the ceiling, and counts what it refused', () => {
    const r = rig(BUDGET);
    // The last 14 digits (the randomness) start with ff: above any threshold down to p = 1/256.
    flood(r, () => ({ traceId: `${hex(18)}ff${hex(12)}` }));
    const kept = r.exportedTraces().size;
    // 2 x 10 + 10 per second over 10 s, plus the keeps before the key's rate is known.
    expect(kept).toBeLessThanOrEqual(400);
    expect(kept).toBeGreaterThanOrEqual(100);
    const stats = r.processor.stats();
    expect(stats.budgetCeilingDrops.baseline).toBeGreaterThanOrEqual(SECONDS * PER_SECOND - 400);
    expect(stats.decisions.baseline!.keep + stats.decisions.baseline!.drop).toBe(SECONDS * PER_SECOND);
  });

  it('holds a chosen ot=rv in the tracestate to the ceiling the same way', () => {
    const r = rig(BUDGET);
    const traceState = new CoreTraceState('ot=rv:ffffffffffffff');
    flood(r, () => ({ traceId: hex(32), traceState }));
    expect(r.exportedTraces().size).toBeLessThanOrEqual(400);
    expect(r.processor.stats().budgetCeilingDrops.baseline).toBeGreaterThanOrEqual(
      SECONDS * PER_SECOND - 400,
    );
  });

  it('leaves traffic with random trace IDs to the threshold: no ceiling drop, the budget kept', () => {
    const r = rig(BUDGET);
    flood(r, () => ({ traceId: hex(32) }));
    expect(r.processor.stats().budgetCeilingDrops.baseline).toBe(0);
    const kept = r.exportedTraces().size;
    expect(kept).toBeGreaterThanOrEqual(SECONDS * 10 * 0.8);
    expect(kept).toBeLessThanOrEqual(SECONDS * 10 * 1.3);
  });
});

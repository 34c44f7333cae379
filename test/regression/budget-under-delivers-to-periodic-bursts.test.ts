// Regression (sampling review): a key whose honest traffic comes in bursts (1,000 traces in 100 ms,
// once a second: a batch job, a cron fan-out) kept 3.5 traces/s under a 10/s budget. The rate
// window's burst detector, meant for a key that jumps from quiet to flood, took each burst for a
// lasting rate of up to 10,000/s and cut the keep probability tenfold, though the key's rate over
// the last second was 1,000/s all along. The detector now speaks only while the current window
// already holds more than the previous one: traffic growing past what the last second saw.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const BUDGET = 10;
const SPEC: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: BUDGET }],
};

const random = seededRandom(5);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

describe('regression: budget under-delivers to periodic bursts', () => {
  it('keeps about its budget of a key that sends 1,000 traces in 100 ms once a second', () => {
    const r = rig(SPEC);
    let spanId = 0;
    const SECONDS = 30;
    const WARM_UP = 2;
    const warmUp = new Set<string>();
    // Bursts start at a different offset into the rate window each second (0-990 ms).
    r.clock.advance(337);
    for (let second = 0; second < SECONDS; second++) {
      for (let i = 0; i < 1000; i++) {
        const traceId = hex(32);
        if (second < WARM_UP) warmUp.add(traceId);
        const parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId,
          spanId: (++spanId).toString(16).padStart(16, '0'),
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        });
        r.tracer.startSpan('POST /batch', { kind: SpanKind.SERVER }, parent).end();
        r.clock.advance(0.1);
      }
      r.clock.advance(900 + (second % 7));
    }
    const kept = [...r.exportedTraces()].filter((id) => !warmUp.has(id)).length;
    const perSecond = kept / (SECONDS - WARM_UP);
    expect(perSecond).toBeGreaterThan(BUDGET * 0.7);
    expect(perSecond).toBeLessThan(BUDGET * 1.3);
    expect(r.processor.stats().budgetCeilingDrops.baseline).toBe(0);
  });
});

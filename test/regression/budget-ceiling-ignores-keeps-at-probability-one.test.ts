// Regression (sampling review): the budget's ceilings (per key, and twice the budget plus 10 a
// second for the whole policy) counted only keeps that passed a threshold below 1. A key at
// probability 1 (its traffic within its allocation) kept every trace uncounted, so the policy's
// ceiling let chosen randomness on the other keys fill it all the same: a 10/s budget with a quiet
// weighted key at 5 traces/s and five keys flooded with chosen randomness kept 35 traces/s, over
// the 30/s the ceiling promises. Every keep counts now.
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const BUDGET = 10;
const SPEC: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [
    { name: 'baseline', kind: 'budget', tracesPerSecond: BUDGET, key: 'tenant', weights: { vip: 10 } },
  ],
};
/** The policy's ceiling: twice the budget plus 10 traces a second. */
const CEILING = 2 * BUDGET + 10;

const random = seededRandom(3);
const hex = (digits: number): string =>
  Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');

describe('regression: budget ceiling ignores keeps at probability 1', () => {
  it('holds the policy to its ceiling with a key at probability 1 beside chosen randomness', () => {
    const r = rig(SPEC);
    let spanId = 0;
    const request = (tenant: string, traceId: string) => {
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId,
        spanId: (++spanId).toString(16).padStart(16, '0'),
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { tenant } }, parent).end();
    };
    const SECONDS = 20;
    const WARM_UP = 2;
    const keptBy = new Map<string, string>();
    for (let tick = 0; tick < SECONDS * 250; tick++) {
      // Every 4 ms: one trace for each of five flooding tenants (50/s each, randomness chosen
      // high: the last 14 digits start with fff); every 200 ms one honest vip trace (5/s).
      for (let attacker = 0; attacker < 5; attacker++) {
        const traceId = `${hex(18)}fff${hex(11)}`;
        keptBy.set(traceId, tick < WARM_UP * 250 ? 'warm-up' : `flood-${attacker}`);
        request(`flood-${attacker}`, traceId);
      }
      if (tick % 50 === 0) {
        const traceId = hex(32);
        keptBy.set(traceId, tick < WARM_UP * 250 ? 'warm-up' : 'vip');
        request('vip', traceId);
      }
      r.clock.advance(4);
    }
    const kept = [...r.exportedTraces()].map((id) => keptBy.get(id)!).filter((who) => who !== 'warm-up');
    const perSecond = kept.length / (SECONDS - WARM_UP);
    // The honest key keeps every trace (it is within its share)...
    expect(kept.filter((who) => who === 'vip').length).toBe((SECONDS - WARM_UP) * 5);
    // ...and the policy as a whole stays within its ceiling.
    expect(perSecond).toBeLessThanOrEqual(CEILING);
    expect(perSecond).toBeGreaterThan(CEILING * 0.8);
  });
});

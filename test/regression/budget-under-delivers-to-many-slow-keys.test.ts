// Regression (sampling review): a budget shared over many keys that each send a trace or two a
// second (shares below one trace a second: 10/s over 100 tenants) kept about half its budget:
// 4.8 traces/s of 10 with 100 tenants at 1 trace/s each, 6.5/s with 100 at 2/s (9.6/s at 20/s). A key's rate was
// read from its window right after the trace being decided had been counted into it, so at every
// one of its own arrivals a key looked one trace a second faster than it was (a tenant at 1/s read
// as 2/s) and was kept at half the probability its share gives. The rate is now read without the
// trace being decided (a key is still rated at one trace a second at least). Real parts: the tail
// sampler over a real SDK tracer, seeded trace IDs, a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig } from '../sampling/harness.js';

const BUDGET = 10;
const SPEC: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: BUDGET, key: 'tenant' }],
};
const TENANTS = 100;
const SECONDS = 45;
const WARM_UP = 5;

/**
 * Kept traces per second after the warm-up, each tenant sending `perSecond` evenly spaced traces a
 * second (trace IDs seeded with `seed`).
 */
function keptPerSecond(perSecond: number, seed: number): number {
  const r = rig(SPEC, { seed });
  const period = 1000 / perSecond;
  const warmUp = new Set<string>();
  for (let ms = 0; ms < SECONDS * 1000; ms++) {
    // Tenants spread evenly over the period.
    const slot = ms % period;
    for (let tenant = 0; tenant < TENANTS; tenant++) {
      if (Math.floor((tenant * period) / TENANTS) !== slot) continue;
      const span = r.tracer.startSpan('GET /orders', {
        kind: SpanKind.SERVER,
        attributes: { tenant: `tenant-${tenant}` },
      });
      if (ms < WARM_UP * 1000) warmUp.add(span.spanContext().traceId);
      span.end();
    }
    r.clock.advance(1);
  }
  const kept = [...r.exportedTraces()].filter((id) => !warmUp.has(id)).length;
  return kept / (SECONDS - WARM_UP);
}

describe('regression: budget under-delivers to many slow keys', () => {
  it.each([
    [1, 4.8],
    [2, 6.5],
    [20, 9.6],
  ])('keeps about its budget of 100 tenants at %d traces/s each (%s/s before)', (perSecond) => {
    // The mean of three seeded runs of 40 s (one run's 400 keeps spread by about +-5%).
    const kept =
      (keptPerSecond(perSecond, 1) + keptPerSecond(perSecond, 2) + keptPerSecond(perSecond, 3)) / 3;
    expect(kept).toBeGreaterThan(BUDGET * 0.85);
    expect(kept).toBeLessThan(BUDGET * 1.15);
  });
});

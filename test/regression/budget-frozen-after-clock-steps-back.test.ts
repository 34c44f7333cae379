// Regression (sampling review): with a wall clock given as the sampler's `now` (Date.now), a
// step back (NTP, a VM resumed) froze the budget for as long as the step: the rate window read
// its previous second against a start ahead of the clock and weighed it about 3,600 times, so a
// 10 traces/s budget kept 0 traces in the next minute (and would for the whole hour), and the
// next reallocation and key release waited for the clock to catch up. The window, the
// reallocation and the key release now start again from the stepped-back time.
import { expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const BUDGET: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 10, key: 'tenant' }],
};

it.each([
  ['the same three tenants', 3],
  ['one of the three tenants, which takes the whole budget', 1],
])('keeps about its budget again right after the clock steps back an hour: %s', (_name, tenantsAfter) => {
  const r = rig(BUDGET);
  const random = seededRandom(3);
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  let spanId = 0;
  const requests = (seconds: number, tenants: number) => {
    for (let i = 0; i < seconds * 1000; i++) {
      const parent = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: hex(32),
        spanId: (++spanId).toString(16).padStart(16, '0'),
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      r.tracer
        .startSpan(
          'GET /orders',
          { kind: SpanKind.SERVER, attributes: { tenant: `t-${i % tenants}` } },
          parent,
        )
        .end();
      r.clock.advance(1);
    }
  };
  r.clock.advance(3_600_000 * 2);
  requests(5, 3);
  const before = r.exportedTraces().size;
  r.clock.advance(-3_600_000);
  requests(60, tenantsAfter);
  const keptAfter = r.exportedTraces().size - before;
  // 10 a second for 60 s, within the Poisson spread and the first second's burst.
  expect(keptAfter).toBeGreaterThan(500);
  expect(keptAfter).toBeLessThan(700);
});

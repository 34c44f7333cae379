// Regression (sampling review): a key's ceiling (twice its allocation plus 10 a second) read the
// key's kept rate with the burst detector, which divides the current window's keeps by as little
// as 100 ms. Honest traffic with uniform randomness, bunched in a burst, passed 21 thresholds in
// the first 100 ms of a window and read as 210 kept/s: one key with a 100/s budget, steady
// 150 traces/s plus a 40-trace burst once a second, had 18 honest keeps refused in a minute
// (kept 93.95/s of 100, counted as chosen randomness). The key ceiling now reads the last
// second's keeps, as the policy-wide one does.
import { expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import type { SamplingSpec } from '../../src/spec/types.js';
import { rig, seededRandom } from '../sampling/harness.js';

const BUDGET: SamplingSpec = {
  decisionWaitMs: 0,
  policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 100 }],
};

it('refuses no honest keep of a bursty key under its ceiling', () => {
  const r = rig(BUDGET);
  const random = seededRandom(7);
  const hex = (digits: number): string =>
    Array.from({ length: digits }, () => Math.floor(random() * 16).toString(16)).join('');
  let spanId = 0;
  const request = () => {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: hex(32),
      spanId: (++spanId).toString(16).padStart(16, '0'),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    r.tracer.startSpan('GET /orders', { kind: SpanKind.SERVER }, parent).end();
  };
  const SECONDS = 60;
  for (let second = 0; second < SECONDS; second++) {
    for (let i = 0; i < 150; i++) {
      request();
      if (i === (second * 7) % 150) for (let b = 0; b < 40; b++) request();
      r.clock.advance(1000 / 150);
    }
  }
  expect(r.processor.stats().budgetCeilingDrops.baseline).toBe(0);
  // About the budget is kept (190 traces/s offered).
  const keptPerSecond = r.exportedTraces().size / SECONDS;
  expect(keptPerSecond).toBeGreaterThan(90);
  expect(keptPerSecond).toBeLessThan(110);
});

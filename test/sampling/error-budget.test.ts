import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { tailSamplingPlan } from '../../src/generate/collector/policies.js';
import { validateSpec } from '../../src/spec/validate.js';
import type { SamplingSpec } from '../../src/spec/types.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { keepsAt, parseTh, randomnessOf, thresholdToProbability } from '../../src/sampling/threshold.js';
import { rig, type Rig } from './harness.js';

const spec = (errorBudget: Extract<SamplingSpec['policies'][number], { kind: 'errors' }>['budget']) =>
  ({
    decisionWaitMs: 0,
    policies: [
      { name: 'errors', kind: 'errors', budget: errorBudget },
      { name: 'baseline', kind: 'budget', tracesPerSecond: 5 },
    ],
  }) satisfies SamplingSpec;

/** `seconds` of traffic at `perSecond` traces per route, every other one an error. */
function flood(r: Rig, seconds: number, routes: Readonly<Record<string, number>>): number {
  let sent = 0;
  const credit = new Map<string, number>();
  for (let ms = 0; ms < seconds * 1000; ms++) {
    for (const [route, rate] of Object.entries(routes)) {
      let c = (credit.get(route) ?? 0) + rate / 1000;
      while (c >= 1) {
        const span = r.tracer.startSpan('POST', {
          kind: SpanKind.SERVER,
          attributes: { 'http.route': route },
        });
        if (sent++ % 2 === 0) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        c -= 1;
      }
      credit.set(route, c);
    }
    r.clock.advance(1);
  }
  return sent;
}

const keptErrors = (r: Rig, route?: string) =>
  r
    .exported()
    .filter(
      (span) =>
        span.status.code === SpanStatusCode.ERROR &&
        (route === undefined || span.attributes['http.route'] === route),
    );

describe('error budget (errors kept per key up to a rate, the rest sampled)', () => {
  it('holds a 50% error flood to the budget, with ot=th adjusted counts and every drop counted', () => {
    const r = rig(spec({ tracesPerSecond: 10 }));
    const sent = flood(r, 60, { '/a': 1000 });
    const kept = keptErrors(r);
    // 30,000 error traces in a minute; 10/s kept.
    expect(kept.length).toBeGreaterThanOrEqual(540);
    expect(kept.length).toBeLessThanOrEqual(660);
    let adjusted = 0;
    for (const span of kept) {
      expect(span.attributes[POLICY_ATTRIBUTE]).toBe('errors');
      const ot = span.spanContext().traceState?.get('ot');
      expect(ot).toMatch(/^th:[0-9a-f]{1,14}$/);
      const threshold = parseTh(ot!.slice(3))!;
      expect(keepsAt(randomnessOf(span.spanContext().traceId), threshold)).toBe(true);
      adjusted += 1 / thresholdToProbability(threshold);
    }
    // The adjusted counts of the kept error traces estimate all error traces (about 600 kept at
    // p near 0.02: one standard deviation is about 4% of the estimate).
    expect(adjusted).toBeGreaterThan((sent / 2) * 0.85);
    expect(adjusted).toBeLessThan((sent / 2) * 1.15);
    const decisions = r.processor.stats().decisions['errors']!;
    expect(decisions.keep).toBe(kept.length);
    expect(decisions.keep + decisions.drop).toBe(sent / 2);
    // The error budget's threshold shows with the baseline's.
    expect(r.processor.stats().thresholds['']!.probability).toBeLessThan(0.05);
  });

  it('keeps every error below the budget, and shares it fairly across keys', () => {
    const quiet = rig(spec({ tracesPerSecond: 10 }));
    const sent = flood(quiet, 20, { '/a': 8 });
    expect(keptErrors(quiet).length).toBe(sent / 2);

    const shared = rig(spec({ tracesPerSecond: 10, key: 'http.route' }));
    flood(shared, 30, { '/noisy': 2000, '/quiet': 6 });
    // The quiet route's 3 errors/s are under its share and all kept; the noisy one gets the rest.
    expect(keptErrors(shared, '/quiet').length).toBeGreaterThanOrEqual(30 * 3 - 3);
    expect(keptErrors(shared, '/noisy').length).toBeGreaterThanOrEqual(30 * 7 * 0.85);
    expect(keptErrors(shared, '/noisy').length).toBeLessThanOrEqual(30 * 7 * 1.15 + 10);
  });

  it('renders into the collector as keep-every-error, and says the budget is not enforced there', () => {
    const plan = tailSamplingPlan(spec({ tracesPerSecond: 10 }), 2, 10);
    // First after the implicit exemplar rule (the spec lists none).
    expect(plan.policies[0]).toMatchObject({ name: 'exemplar', type: 'boolean_attribute' });
    expect(plan.policies[1]).toMatchObject({ name: 'errors', type: 'status_code' });
    expect(plan.notes.some((note) => note.startsWith('errors: the error budget (10 traces/s) has no'))).toBe(
      true,
    );
  });

  it('refuses a bad budget with an error naming the field', () => {
    const bad = {
      service: { name: 'svc' },
      events: {},
      sampling: { policies: [{ name: 'errors', kind: 'errors', budget: { tracesPerSecond: 0 } }] },
    };
    expect(() => validateSpec(bad as never)).toThrow(/budget\/tracesPerSecond|budget\.tracesPerSecond/);
  });
});

import { describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SamplingSpec } from '../../src/spec/types.js';
import { POLICY_ATTRIBUTE } from '../../src/sampling/sampled-span.js';
import { keepsAt, parseTh, randomnessOf, thresholdToProbability } from '../../src/sampling/threshold.js';
import type { Rig } from './harness.js';
import { rig } from './harness.js';

const budget = (
  tracesPerSecond: number,
  extra: Partial<Extract<SamplingSpec['policies'][number], { kind: 'budget' }>> = {},
): SamplingSpec => ({
  decisionWaitMs: 0,
  policies: [
    { name: 'errors', kind: 'errors' },
    { name: 'baseline', kind: 'budget', tracesPerSecond, ...extra },
  ],
});

/** Drives `seconds` of traffic: per ms, one trace for each route whose rate says so. */
function drive(
  r: Rig,
  seconds: number,
  ratesPerSecond: Readonly<Record<string, number>>,
): Map<string, number> {
  const sent = new Map<string, number>();
  const credit = new Map<string, number>();
  for (let ms = 0; ms < seconds * 1000; ms++) {
    for (const [route, rate] of Object.entries(ratesPerSecond)) {
      let c = (credit.get(route) ?? 0) + rate / 1000;
      while (c >= 1) {
        r.tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: { 'http.route': route } }).end();
        sent.set(route, (sent.get(route) ?? 0) + 1);
        c -= 1;
      }
      credit.set(route, c);
    }
    r.clock.advance(1);
  }
  return sent;
}

function keptBy(r: Rig, route: string): ReadableSpan[] {
  return r.exported().filter((span) => span.attributes['http.route'] === route);
}

describe('budget policy', () => {
  it('holds 10 traces/s under 1,000 traces/s within 10% over a minute', () => {
    const r = rig(budget(10));
    drive(r, 60, { '/a': 1000 });
    const kept = r.exported().length;
    expect(kept).toBeGreaterThanOrEqual(540);
    expect(kept).toBeLessThanOrEqual(660);
    // The threshold settled at the budget's share of the traffic.
    expect(r.processor.stats().thresholds['']!.probability).toBeCloseTo(0.01, 2);
  });

  it('follows a drop in traffic: at 5 traces/s under a 10/s budget everything is kept', () => {
    const r = rig(budget(10));
    drive(r, 5, { '/a': 1000 });
    const before = r.exported().length;
    const sent = drive(r, 20, { '/a': 5 });
    // After the rate estimate catches up (two windows) every trace is kept.
    expect(r.exported().length - before).toBeGreaterThanOrEqual(sent.get('/a')! - 10);
  });

  it('shares by key: a noisy key cannot take a quiet key share, and unused share is lent', () => {
    const r = rig(budget(10, { key: 'http.route' }));
    const sent = drive(r, 30, { '/noisy': 1000, '/quiet': 2 });
    // The quiet key is under its share (5/s): it keeps (nearly) all of its traces...
    expect(keptBy(r, '/quiet').length).toBeGreaterThanOrEqual(sent.get('/quiet')! - 3);
    // ...and the noisy key gets the rest of the budget (8/s), not just its own half.
    expect(keptBy(r, '/noisy').length).toBeGreaterThanOrEqual(30 * 8 * 0.9);
    expect(keptBy(r, '/noisy').length).toBeLessThanOrEqual(30 * 8 * 1.1 + 10);
  });

  it('splits between two noisy keys equally, or by weight', () => {
    const even = rig(budget(10, { key: 'http.route' }));
    drive(even, 30, { '/a': 1000, '/b': 100 });
    for (const route of ['/a', '/b']) {
      expect(keptBy(even, route).length).toBeGreaterThanOrEqual(150 * 0.85);
      expect(keptBy(even, route).length).toBeLessThanOrEqual(150 * 1.15 + 10);
    }
    const weighted = rig(budget(10, { key: 'http.route', weights: { '/gold': 3 } }), { seed: 7 });
    drive(weighted, 30, { '/gold': 500, '/free': 500 });
    expect(keptBy(weighted, '/gold').length).toBeGreaterThanOrEqual(225 * 0.85);
    expect(keptBy(weighted, '/gold').length).toBeLessThanOrEqual(225 * 1.15 + 10);
    expect(keptBy(weighted, '/free').length).toBeGreaterThanOrEqual(75 * 0.8);
    expect(keptBy(weighted, '/free').length).toBeLessThanOrEqual(75 * 1.2 + 10);
  });

  it('weighs two weighted values alike up to the 2048-byte cut by the first in sorted order', () => {
    // Both are cut to one key; the spec lists the later one (sorted) first, with another weight.
    const alike = 'k'.repeat(2048);
    const [first, second] = [`${alike}a`, `${alike}b`];
    const weights = { [second]: 1, [first]: 3 };
    const r = rig(budget(10, { key: 'http.route', weights }), { seed: 7 });
    drive(r, 30, { [second]: 500, '/free': 500 });
    // The key weighs 3 (first's weight), whichever of the two a trace carries: 7.5/s against 2.5/s.
    expect(keptBy(r, second).length).toBeGreaterThanOrEqual(225 * 0.85);
    expect(keptBy(r, second).length).toBeLessThanOrEqual(225 * 1.15 + 10);
    expect(keptBy(r, '/free').length).toBeLessThanOrEqual(75 * 1.2 + 10);
  });

  it('writes ot=th that parses per the spec, admits each kept trace and reweights to the input count', () => {
    const r = rig(budget(10));
    drive(r, 30, { '/a': 1000 });
    let adjusted = 0;
    for (const span of r.exported()) {
      const ot = span.spanContext().traceState?.get('ot');
      expect(ot).toMatch(/^th:[0-9a-f]{1,14}$/);
      const threshold = parseTh(ot!.slice(3))!;
      expect(threshold).toBeDefined();
      expect(keepsAt(randomnessOf(span.spanContext().traceId), threshold)).toBe(true);
      expect(span.attributes[POLICY_ATTRIBUTE]).toBe('baseline');
      adjusted += 1 / thresholdToProbability(threshold);
    }
    // Horvitz-Thompson: the adjusted counts of the kept traces estimate the traffic (30,000).
    expect(adjusted).toBeGreaterThan(30_000 * 0.9);
    expect(adjusted).toBeLessThan(30_000 * 1.1);
  });

  it('makes identical decisions for the same trace IDs in two processor instances', () => {
    const a = rig(budget(10), { seed: 42 });
    const b = rig(budget(10), { seed: 42 });
    drive(a, 10, { '/a': 1000 });
    drive(b, 10, { '/a': 1000 });
    expect(a.exportedTraces().size).toBeGreaterThan(50);
    expect([...b.exportedTraces()]).toEqual([...a.exportedTraces()]);
    const th = (r: Rig) => r.exported().map((span) => span.spanContext().traceState?.get('ot'));
    expect(th(b)).toEqual(th(a));
  });

  it('keeps error traces on top of the budget', () => {
    const r = rig(budget(1));
    let errors = 0;
    for (let i = 0; i < 2000; i++) {
      const span = r.tracer.startSpan('GET');
      if (i % 50 === 0) {
        span.setStatus({ code: 2 });
        errors++;
      }
      span.end();
      r.clock.advance(1);
    }
    expect(r.processor.stats().decisions['errors']).toEqual({ keep: errors, drop: 0 });
    expect(r.processor.stats().decisions['baseline']!.keep).toBeLessThan(12);
  });
});

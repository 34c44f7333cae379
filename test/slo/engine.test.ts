import { describe, expect, it } from 'vitest';
import { createSloEngine } from '../../src/slo/engine.js';
import { sloStatusRows } from '../../src/slo/status-rows.js';
import { WindowRing } from '../../src/slo/window-ring.js';
import { checkoutSpec } from '../fixtures/slo/checkout-spec.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function clock(start = 0) {
  let now = start;
  return { now: () => now, set: (t: number) => (now = t) };
}

describe('WindowRing', () => {
  it('counts events inside the window and forgets older ones', () => {
    const ring = new WindowRing(60 * MINUTE, 60);
    ring.record(0, 5, true);
    ring.record(30 * MINUTE, 10, false);
    expect(ring.sum(59 * MINUTE)).toEqual({ total: 15, bad: 5 });
    expect(ring.sum(61 * MINUTE)).toEqual({ total: 10, bad: 0 });
    ring.record(200 * MINUTE, 1, false);
    expect(ring.sum(200 * MINUTE)).toEqual({ total: 1, bad: 0 });
  });

  it('counts the oldest bucket pro rata', () => {
    const ring = new WindowRing(60 * MINUTE, 60);
    ring.record(10 * MINUTE, 60, true);
    // Half of the bucket [10m, 11m) is still inside (10.5m, 70.5m].
    expect(ring.sum(70.5 * MINUTE).total).toBeCloseTo(30);
  });

  it('writes into the newest bucket when the clock steps back', () => {
    const ring = new WindowRing(60 * MINUTE, 60);
    ring.record(30 * MINUTE, 1, false);
    ring.record(5 * MINUTE, 1, true);
    expect(ring.sum(30 * MINUTE)).toEqual({ total: 2, bad: 1 });
  });
});

describe('createSloEngine', () => {
  it('reports zero traffic as a zero burn rate, never NaN', () => {
    const engine = createSloEngine(checkoutSpec, { now: () => 0 });
    for (const status of engine.status()) {
      for (const window of status.windows) expect(window.burnRate).toBe(0);
      expect(status.errorBudgetRemaining).toBe(1);
      expect(status.windows.find((w) => w.window === status.window)!.windowMs).toBe(30 * 24 * HOUR);
      expect(status.windows.find((w) => w.window === '5m')!.windowMs).toBe(5 * MINUTE);
      expect(status.timeToExhaustionMs).toBeNull();
      expect(status.tiers.every((t) => !t.firing)).toBe(true);
    }
  });

  it('fires a page when both windows burn fast, and resolves when the short window is clean', () => {
    const time = clock();
    const engine = createSloEngine(checkoutSpec, { now: time.now });
    for (let minute = 1; minute <= 30; minute++) {
      time.set(minute * MINUTE - 1);
      engine.record('checkout-availability', true, 980);
      engine.record('checkout-availability', false, 20); // 2% errors = 20x a 0.1% budget
    }
    const firing = engine.status(30 * MINUTE).find((s) => s.slo === 'checkout-availability')!;
    expect(firing.tiers.filter((t) => t.firing).map((t) => t.tier)).toEqual([
      'page-fast',
      'page-slow',
      'ticket-fast',
      'ticket-slow',
    ]);
    expect(firing.windows.find((w) => w.window === '1h')!.burnRate).toBeCloseTo(20);
    for (let minute = 31; minute <= 36; minute++) {
      time.set(minute * MINUTE - 1);
      engine.record('checkout-availability', true, 1000);
    }
    const later = engine.status(36 * MINUTE).find((s) => s.slo === 'checkout-availability')!;
    expect(later.tiers.find((t) => t.tier === 'page-fast')!.firing).toBe(false);
    expect(later.tiers.find((t) => t.tier === 'page-slow')!.firing).toBe(true);
  });

  it('holds back alerts below the minimum number of events (one failure at 3 a.m.)', () => {
    const engine = createSloEngine(checkoutSpec, { now: () => 3 * 3_600_000 });
    engine.record('checkout-availability', false);
    const status = engine.status().find((s) => s.slo === 'checkout-availability')!;
    expect(status.windows.find((w) => w.window === '5m')!.burnRate).toBe(1000);
    expect(status.tiers.every((t) => !t.firing && t.heldByMinEvents)).toBe(true);
  });

  it('classifies measurements from the registry listeners per SLI', () => {
    const engine = createSloEngine(checkoutSpec, { now: () => 1000 });
    const requests = engine.listeners.counters!['http.server.requests']!;
    const durations = engine.listeners.histograms!['http.server.duration']!;
    expect(requests).toHaveLength(1);
    requests[0]!(8, { outcome: 'ok' });
    requests[0]!(1, { outcome: 'timeout' });
    requests[0]!(1, { outcome: 'error' });
    durations[0]!(0.25, {}); // on the boundary: good, as le="0.25" counts it
    durations[0]!(0.2500001, {});
    const [availability, latency] = engine.status();
    expect(availability!.windows[0]).toMatchObject({ events: 10, badEvents: 2, errorRatio: 0.2 });
    expect(latency!.windows[0]).toMatchObject({ events: 2, badEvents: 1, errorRatio: 0.5 });
  });

  it('applies where: only matching requests count at all', () => {
    const spec = {
      ...checkoutSpec,
      slos: {
        pay: {
          description: 'Payments succeed',
          sli: {
            kind: 'availability',
            metric: 'http.server.requests',
            bad: { outcome: ['error'] },
            where: { 'http.route': ['/pay'] },
          },
          objective: 99,
        },
      },
    } as const;
    const engine = createSloEngine(spec, { now: () => 1000 });
    const listener = engine.listeners.counters!['http.server.requests']![0]!;
    listener(5, { outcome: 'error', 'http.route': '/browse' });
    listener(3, { outcome: 'ok', 'http.route': '/pay' });
    listener(1, { outcome: 'error', 'http.route': '/pay' });
    listener(1, { outcome: 'error' });
    expect(engine.status()[0]!.windows[0]).toMatchObject({ events: 4, badEvents: 1 });
  });

  it('counts refused records instead of throwing', () => {
    const engine = createSloEngine(checkoutSpec, { now: () => 0 });
    engine.record('nope', true);
    engine.record('checkout-latency', true, Number.NaN);
    engine.record('checkout-latency', true, -1);
    expect(engine.dropped).toBe(3);
  });

  it('keeps memory constant: 1M events leave the same state size as 1k', () => {
    const time = clock();
    const engine = createSloEngine(checkoutSpec, { now: time.now });
    const sizeAfter = (events: number) => {
      for (let i = 0; i < events; i++) {
        time.set(i * 10);
        engine.record('checkout-latency', i % 100 !== 0);
      }
      return JSON.stringify(engine.status(time.now())).length;
    };
    const small = sizeAfter(1000);
    expect(Math.abs(sizeAfter(1_000_000) - small)).toBeLessThan(200);
  });

  it('sums events within a bucket before writing the rings and reports what per-event writes would', () => {
    const time = clock(1_700_000_000_000);
    const engine = createSloEngine(checkoutSpec, { now: time.now });
    const status = () => engine.status(time.now()).find((s) => s.slo === 'checkout-availability')!;
    const rings = status().windows.map((w) => {
      const ms = { '5m': 5, '30m': 30, '1h': 60, '2h': 120, '6h': 360, '1d': 1440, '3d': 4320, '30d': 43200 };
      return [w.window, new WindowRing(ms[w.window as keyof typeof ms] * MINUTE)] as const;
    });
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let i = 0; i < 50_000; i++) {
      // Mostly forward in small steps, sometimes a clock that steps back by up to 5 s.
      time.set(time.now() + (random() < 0.01 ? -random() * 5000 : random() * 400));
      const good = random() > 0.05;
      const count = 1 + Math.floor(random() * 3);
      engine.record('checkout-availability', good, count);
      for (const [, ring] of rings) ring.record(time.now(), count, !good);
      if (i % 997 === 0) {
        for (const [window, ring] of rings) {
          const { total, bad } = ring.sum(time.now());
          expect(status().windows.find((w) => w.window === window)).toMatchObject({
            events: total,
            badEvents: bad,
          });
        }
      }
    }
  });

  it('turns status into the gauge rows named in sloSeries', () => {
    const engine = createSloEngine(checkoutSpec, { now: () => 0 });
    const rows = sloStatusRows(engine.status());
    expect(rows.map((r) => [r.name, r.labelNames])).toEqual([
      ['plumbline_slo_burn_rate', ['slo', 'window']],
      ['plumbline_slo_error_budget_remaining', ['slo']],
      ['plumbline_slo_alert_firing', ['slo', 'tier', 'severity']],
    ]);
    expect(rows[2]!.samples).toContainEqual({
      labels: { slo: 'checkout-latency', tier: 'page-fast', severity: 'page' },
      value: 0,
    });
  });
});

// Regression (SLO review): after the clock stepped back, the in-process engine stopped counting
// recent events in its short windows. Events recorded after a backward step go to the newest
// bucket of each ring so that they are kept, but a window's sum ended at the bucket of the
// stepped-back time and left that newest bucket out: at 99.9%, 100 bad events, the clock back
// 60 s, 100 more bad, and status() read 0 events over 5m, 30m, 1h and 2h (200 over 6h and up,
// whose buckets are wider than the step), so only ticket-slow fired. A window now reads up to
// the newest bucket while the clock is behind it.
import { describe, expect, it } from 'vitest';
import { createSloEngine } from '../../src/slo/engine.js';
import { WindowRing } from '../../src/slo/window-ring.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const spec = {
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.requests': { description: 'Requests.', attributes: ['outcome'] } },
  slos: {
    availability: {
      description: 'Requests succeed',
      objective: 99.9,
      sli: { kind: 'availability', metric: 'shop.requests', bad: { outcome: ['error'] } },
    },
  },
} as const satisfies TelemetrySpec;

const T = Date.UTC(2025, 0, 15, 12, 0, 7, 300);

describe('regression: short windows lose events after the clock steps back', () => {
  it('counts the events of both sides of a 60 s step back in every window, and fires all four tiers', () => {
    let now = T;
    const engine = createSloEngine(spec, { now: () => now });
    engine.record('availability', false, 100);
    now -= 60_000;
    engine.record('availability', false, 100);
    const status = engine.status()[0]!;
    expect(
      Object.fromEntries(status.windows.map((w) => [w.window, [w.events, w.badEvents]])),
      'events and bad events per window',
    ).toEqual({
      '5m': [200, 200],
      '30m': [200, 200],
      '1h': [200, 200],
      '2h': [200, 200],
      '6h': [200, 200],
      '1d': [200, 200],
      '3d': [200, 200],
      '30d': [200, 200],
    });
    expect(status.tiers.filter((t) => t.firing).map((t) => t.tier)).toEqual([
      'page-fast',
      'page-slow',
      'ticket-fast',
      'ticket-slow',
    ]);
  });

  it('keeps counting while the clock catches up, and ages the events out once it has', () => {
    let now = T;
    const engine = createSloEngine(spec, { now: () => now });
    engine.record('availability', false, 100);
    // Back an hour; 40 minutes of good traffic while the clock is still behind.
    now -= 3_600_000;
    for (let minute = 0; minute < 40; minute++) {
      now += 60_000;
      engine.record('availability', true, 1_000);
    }
    const behind = engine.status()[0]!.windows.find((w) => w.window === '5m')!;
    expect([behind.events, behind.badEvents]).toEqual([40_100, 100]);
    // Past the step, and 5 minutes on: the 5m window holds only what came after.
    now = T + 5 * 60_000 + 2_500;
    engine.record('availability', true, 10);
    const after = engine.status()[0]!.windows.find((w) => w.window === '5m')!;
    expect([after.events, after.badEvents]).toEqual([10, 0]);
  });

  it('a ring read at a stepped-back time counts its newest bucket, and only one window of buckets', () => {
    const ring = new WindowRing(300_000, 120); // 5m in 2.5 s buckets
    for (let s = 0; s < 600; s++) ring.record(T - 600_000 + s * 1_000, 1, false);
    ring.record(T, 7, true);
    ring.record(T - 60_000, 5, true); // stepped back: into T's bucket
    // The window ends with T's bucket: its 120 buckets hold the good events of the last 299.8 s
    // before it (299 of them) and the 12 bad ones.
    expect(ring.sum(T - 60_000)).toEqual({ total: 311, bad: 12 });
  });
});

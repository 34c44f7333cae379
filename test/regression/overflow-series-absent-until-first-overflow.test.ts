// Regression: plumbline_metrics_overflow_total had no series until an instrument first reached
// its cardinality limit, so the pipeline dashboard's overflow panel read "No data" on a healthy
// service (an SRE trial) and rate() could not see the first overflow after a deploy. Every spec
// instrument now has its series at 0 from the start, as the other plumbline counters do.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';

const spec = {
  service: { name: 'shop' },
  events: {},
  histograms: {
    'shop.work.duration': { description: 'Work.', unit: 's', buckets: { boundaries: [0.1, 1] } },
  },
  counters: { 'shop.orders': { description: 'Orders.', attributes: ['route'], cardinalityLimit: 2 } },
  gauges: { 'shop.queue.depth': { description: 'Queue depth.' } },
} as const;

describe('regression: the overflow series was absent until the first overflow', () => {
  it('has one series per instrument at 0, and counts from there', () => {
    const metrics = createMetrics(spec);
    const before = metrics.serialize().body;
    for (const name of ['shop.work.duration', 'shop.orders', 'shop.queue.depth'])
      expect(before).toContain(`plumbline_metrics_overflow_total{metric="${name}"} 0\n`);
    const orders = metrics.counter('shop.orders');
    for (const route of ['/a', '/b', '/c', '/d']) orders.add(1, { route });
    const after = metrics.serialize().body;
    expect(after).toMatch(/plumbline_metrics_overflow_total\{metric="shop\.orders"\} [1-9]\d*\n/);
    expect(after).toContain('plumbline_metrics_overflow_total{metric="shop.work.duration"} 0\n');
  });
});

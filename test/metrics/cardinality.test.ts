// Past an instrument's cap, measurements go to one otel.metric.overflow="true" series and are
// counted; memory stays bounded however many distinct values arrive.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/index.js';
import type { HistogramInstrument } from '../../src/metrics/histogram.js';

const spec = {
  service: { name: 'svc' },
  events: {},
  histograms: {
    'request.duration': {
      description: 'd',
      unit: 's',
      attributes: ['user.id', 'region'],
      cardinalityLimit: 50,
      buckets: { boundaries: [0.1, 1] },
    },
  },
  counters: { requests: { description: 'r', attributes: ['user.id'], cardinalityLimit: 3 } },
  gauges: { sessions: { description: 's', attributes: ['user.id'], cardinalityLimit: 1 } },
} as const;

function internalsOf(metrics: ReturnType<typeof createMetrics<typeof spec>>): HistogramInstrument {
  return metrics.histogram('request.duration') as HistogramInstrument;
}

/** Entries in the lookup tree, counted by walking it (the structure that could grow). */
function treeEntries(node: Map<unknown, unknown>): number {
  let total = 0;
  for (const child of node.values()) total += 1 + (child instanceof Map ? treeEntries(child) : 0);
  return total;
}

describe('cardinality limit', () => {
  it('sends measurements past the cap to the overflow series and counts them, in both formats', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const counter = metrics.counter('requests');
    for (const user of ['a', 'b', 'c', 'd', 'e']) counter.add(1, { 'user.id': user });
    counter.add(5, { 'user.id': 'a' }); // existing series still recorded
    counter.bind({ 'user.id': 'f' }).add(2); // bound past the cap: overflow, counted per add
    counter.bind({ 'user.id': 'f' }).add(2);
    metrics.gauge('sessions').set(1, { 'user.id': 'a' });
    metrics.gauge('sessions').set(7, { 'user.id': 'b' });
    const text = metrics.serialize().body;
    expect(text).toContain('requests_total{user_id="a"} 6\n');
    expect(text).toContain('requests_total{otel_metric_overflow="true"} 6\n');
    expect(text).toContain('sessions{otel_metric_overflow="true"} 7\n');
    expect(text).toContain('plumbline_metrics_overflow_total{metric="requests"} 4\n');
    expect(text).toContain('plumbline_metrics_overflow_total{metric="sessions"} 1\n');
    expect(text).not.toContain('user_id="d"');
    const om = metrics.serialize('application/openmetrics-text').body;
    expect(om).toContain('requests_total{otel_metric_overflow="true"} 6\n');
    expect(om).toContain('plumbline_metrics_overflow_total{metric="requests"} 4\n');
  });

  it('stays bounded under 100k distinct attribute values', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_on' });
    const histogram = metrics.histogram('request.duration');
    const internals = internalsOf(metrics);
    for (let i = 0; i < 100_000; i++)
      histogram.record(0.5, { 'user.id': `user-${i}`, region: i % 2 === 0 ? 'eu' : 42 });
    // Numbers and strings spelling the same value share one series.
    histogram.record(0.5, { 'user.id': 'user-1', region: '42' });
    expect(internals.table.size).toBe(50);
    expect(internals.table.overflowMeasurements).toBe(100_000 - 50);
    const snapshot = metrics.histogramSnapshot('request.duration');
    expect(snapshot).toHaveLength(51);
    expect(snapshot[1]).toMatchObject({ attributes: { 'user.id': 'user-1', region: '42' }, count: 2 });
    expect(snapshot[50]).toMatchObject({
      attributes: { 'otel.metric.overflow': 'true' },
      count: 100_000 - 50,
    });
    const root = (internals.table as unknown as { root: Map<unknown, unknown> }).root;
    expect(treeEntries(root)).toBeLessThanOrEqual(4 * 50 * 2);
    // The exposition does not grow with the distinct values either.
    const lines = metrics
      .serialize()
      .body.split('\n')
      .filter((line) => line.startsWith('request_duration_seconds_count'));
    expect(lines).toHaveLength(51);
  });

  it('bounds raw spellings too: array-valued or novel spellings of known series do not grow the tree', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const histogram = metrics.histogram('request.duration');
    const internals = internalsOf(metrics);
    for (let i = 0; i < 10_000; i++) histogram.record(0.05, { 'user.id': ['same'], region: 'eu' });
    const root = (internals.table as unknown as { root: Map<unknown, unknown> }).root;
    expect(treeEntries(root)).toBe(0);
    expect(metrics.histogramSnapshot('request.duration')).toMatchObject([
      { attributes: { 'user.id': 'same', region: 'eu' }, count: 10_000 },
    ]);
  });
});

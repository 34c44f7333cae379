// Past the cardinality limit, the overflow series keep the attributes the spec's SLIs read on the
// instrument (only the values some match selects), within a bound; past it, measurements go to
// the plain overflow series and that is counted.
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { MAX_OVERFLOW_SPLIT_SERIES, overflowSplits } from '../../src/metrics/overflow-split.js';
import { resolveSpec } from '../../src/spec/model.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const spec = {
  service: { name: 'api' },
  events: {},
  counters: {
    requests: { description: 'R.', attributes: ['tenant', 'status', 'region'], cardinalityLimit: 1 },
    plain: { description: 'P.', attributes: ['tenant', 'status'], cardinalityLimit: 1 },
  },
  histograms: {
    duration: {
      description: 'D.',
      unit: 's',
      attributes: ['tenant', 'region'],
      cardinalityLimit: 1,
      buckets: { boundaries: [0.5] },
    },
  },
  slos: {
    'server-errors': {
      description: 'No 5xx',
      objective: 99,
      sli: { kind: 'availability', metric: 'requests', bad: { status: ['5*'] } },
    },
    'unplaced-fast': {
      description: 'Requests without a region are fast',
      objective: 99,
      sli: { kind: 'latency', histogram: 'duration', threshold: 0.5, where: { region: ['', 'eu'] } },
    },
  },
} as const satisfies TelemetrySpec;

const lines = (body: string, prefix: string) => body.split('\n').filter((line) => line.startsWith(prefix));

describe('overflow series split by what the SLIs read', () => {
  it('keeps selected values only, up to the bound, then folds into the plain series and counts it', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const requests = metrics.counter('requests');
    requests.add(1, { tenant: 'first', status: 200 });
    for (let status = 500; status < 600; status++)
      requests.add(1, { tenant: `t${status}`, status, region: 'eu' });
    for (let i = 0; i < 5; i++) requests.add(1, { tenant: `ok${i}`, status: 200, region: 'eu' });
    // Binding past the limit is no measurement: nothing counted until add.
    const bound = requests.bind({ tenant: 'late', status: 599 });
    bound.add(2);
    const body = metrics.serialize().body;
    const overflow = lines(body, 'requests_total{').filter((line) => line.includes('otel_metric_overflow'));
    // status 500..563 each in its own series (64), the rest and the 200s in the plain one; region
    // is read by no SLI of this counter, so it is never kept.
    expect(overflow).toHaveLength(MAX_OVERFLOW_SPLIT_SERIES + 1);
    expect(overflow[0]).toBe('requests_total{status="500",otel_metric_overflow="true"} 1');
    // 564..599 (36), the five 200s and the bound handle's 2 (599, past the bound as well).
    expect(overflow.at(-1)).toBe(`requests_total{otel_metric_overflow="true"} ${36 + 5 + 2}`);
    // Counted per measurement: the 36 and the bound handle's one add.
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="requests",reason="overflow_slo_attributes_folded"} 37\n',
    );
    expect(body).toContain('plumbline_metrics_overflow_total{metric="requests"} 106\n');
    expect(body).not.toContain('status="599"');
  });

  it('keeps every value of an attribute some match reads "" on (an absent one is selected)', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const duration = metrics.histogram('duration');
    duration.record(0.1, { tenant: 'first', region: 'eu' });
    duration.record(0.1, { tenant: 'a', region: 'eu' });
    duration.record(0.9, { tenant: 'b', region: 'us' });
    duration.record(0.9, { tenant: 'c' });
    const counts = lines(metrics.serialize().body, 'duration_seconds_count{');
    expect(counts).toEqual([
      'duration_seconds_count{tenant="first",region="eu"} 1',
      'duration_seconds_count{region="eu",otel_metric_overflow="true"} 1',
      // Left out, "us" would read as absent, which the SLI selects: it is kept.
      'duration_seconds_count{region="us",otel_metric_overflow="true"} 1',
      'duration_seconds_count{otel_metric_overflow="true"} 1',
    ]);
  });

  it('leaves an instrument no SLI reads with one overflow series, as sdk-metrics has', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const plain = metrics.counter('plain');
    for (let status = 500; status < 510; status++) plain.add(1, { tenant: `t${status}`, status });
    expect(lines(metrics.serialize().body, 'plain_total{')).toEqual([
      'plain_total{tenant="t500",status="500"} 1',
      'plain_total{otel_metric_overflow="true"} 9',
    ]);
  });

  it('bounds literal lists by their combinations', () => {
    const splits = overflowSplits(
      resolveSpec({
        ...spec,
        slos: {
          a: {
            description: 'x',
            objective: 99,
            sli: {
              kind: 'availability',
              metric: 'requests',
              where: { region: ['eu', 'us'] },
              bad: { status: ['500', '503'] },
            },
          },
          b: {
            description: 'x',
            objective: 99,
            sli: { kind: 'availability', metric: 'requests', bad: { status: ['503', '504'] } },
          },
        },
      }).slos,
    );
    // region: eu, us or neither (3); status: 500, 503, 504 or none (4); less the plain series.
    expect(splits.counters.get('requests')!.maxSeries).toBe(3 * 4 - 1);
    expect(splits.counters.has('plain')).toBe(false);
  });

  it('writes the kept attributes beside the boolean overflow attribute over OTLP', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const requests = metrics.counter('requests');
    requests.add(1, { tenant: 'first', status: 200 });
    requests.add(1, { tenant: 'second', status: 503 });
    requests.add(1, { tenant: 'third', status: 200 });
    const { resourceMetrics } = await metrics.producer.collect();
    const points = resourceMetrics.scopeMetrics[0]!.metrics.find(
      (m) => m.descriptor.name === 'requests',
    )!.dataPoints;
    expect(points.map((point) => point.attributes)).toEqual([
      { tenant: 'first', status: '200' },
      { status: '503', 'otel.metric.overflow': true },
      { 'otel.metric.overflow': true },
    ]);
  });
});

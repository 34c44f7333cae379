// Self gauge groups: families drawn from one read of their owner. Each collection pass (a text or
// OpenMetrics scrape, an OTLP export through the producer) reads the group once and gives every
// family that snapshot; the next pass reads afresh; a read that throws is not tried again per family.
import { describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import type { TelemetrySpec } from '../../src/spec/types.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

const spec = { service: { name: 'svc' }, events: {} } satisfies TelemetrySpec;

/** A store whose totals move on every read, as the sampler's do between two reads under load. */
function movingStore() {
  let reads = 0;
  return {
    get reads() {
      return reads;
    },
    read: () => {
      reads++;
      // kept + dropped = seen, in every snapshot.
      return { seen: reads * 10, kept: reads * 3, dropped: reads * 7 };
    },
  };
}

type Snapshot = ReturnType<ReturnType<typeof movingStore>['read']>;

function registerGroup(metrics: Metrics, read: () => Snapshot): void {
  metrics.selfGaugeGroup(read, [
    {
      name: 'demo_seen_total',
      help: 'Seen.',
      labelNames: [],
      samples: (s) => [{ labels: {}, value: s.seen }],
      type: 'counter',
    },
    {
      name: 'demo_outcomes_total',
      help: 'Outcomes.',
      labelNames: ['outcome'],
      samples: (s) => [
        { labels: { outcome: 'keep' }, value: s.kept },
        { labels: { outcome: 'drop' }, value: s.dropped },
      ],
      type: 'counter',
    },
    {
      name: 'demo_reads',
      help: 'The read this pass saw.',
      labelNames: [],
      samples: (s) => [{ labels: {}, value: s.seen / 10 }],
    },
  ]);
}

const value = (body: string, series: string) =>
  Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(body)?.[1]);

function totals(body: string) {
  return {
    seen: value(body, 'demo_seen_total'),
    kept: value(body, 'demo_outcomes_total{outcome="keep"}'),
    dropped: value(body, 'demo_outcomes_total{outcome="drop"}'),
    read: value(body, 'demo_reads'),
  };
}

describe('self gauge groups', () => {
  it('reads once per scrape in either format, every family from that read, afresh each scrape', () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    registerGroup(metrics, store.read);

    const text = metrics.serialize().body;
    expect(store.reads).toBe(1);
    expect(totals(text)).toEqual({ seen: 10, kept: 3, dropped: 7, read: 1 });
    expect(text).toContain(
      '# HELP demo_seen_total Seen.\n# TYPE demo_seen_total counter\ndemo_seen_total 10\n# HELP demo_outcomes_total',
    );

    const om = metrics.serialize(OPENMETRICS_ACCEPT).body;
    expect(store.reads).toBe(2);
    expect(totals(om)).toEqual({ seen: 20, kept: 6, dropped: 14, read: 2 });
    expect(om).toContain('# TYPE demo_outcomes counter\n# HELP demo_outcomes Outcomes.\n');
    expect(om.endsWith('# EOF\n')).toBe(true);
  });

  it('reads once per export through the producer, every data point from that read', async () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    registerGroup(metrics, store.read);
    metrics.serialize();

    const { resourceMetrics, errors } = await metrics.producer.collect();
    expect(errors).toEqual([]);
    expect(store.reads).toBe(2);
    const byName = new Map(
      resourceMetrics.scopeMetrics[0]!.metrics.map((metric) => [metric.descriptor.name, metric]),
    );
    const points = (name: string) => byName.get(name)!.dataPoints.map((point) => point.value);
    expect(points('demo_seen_total')).toEqual([20]);
    expect(points('demo_outcomes_total')).toEqual([6, 14]);
    expect(points('demo_reads')).toEqual([2]);
    // The group's families keep their place and types among the self metrics.
    const names = [...byName.keys()];
    expect(names.indexOf('demo_outcomes_total')).toBe(names.indexOf('demo_seen_total') + 1);
    expect(byName.get('demo_reads')!.dataPointType).not.toBe(byName.get('demo_seen_total')!.dataPointType);
  });

  it('gives each pass its own read when one pass runs inside another', () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    let inner: string | undefined;
    // The first read of the outer scrape starts a scrape of its own (an owner that logs /metrics).
    registerGroup(metrics, () => {
      const snapshot = store.read();
      if (inner === undefined) {
        inner = '';
        inner = metrics.serialize().body;
      }
      return snapshot;
    });
    const outer = metrics.serialize().body;
    expect(store.reads).toBe(2);
    expect(totals(outer)).toEqual({ seen: 10, kept: 3, dropped: 7, read: 1 });
    expect(totals(inner!)).toEqual({ seen: 20, kept: 6, dropped: 14, read: 2 });
  });

  it('leaves the families of a read that throws out of that pass, reading once, and reads again next pass', async () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    let fail = true;
    registerGroup(metrics, () => {
      if (fail) {
        store.read();
        throw new Error('store down');
      }
      return store.read();
    });
    metrics.selfGauge('demo_other', 'Another owner.', [], () => [{ labels: {}, value: 5 }]);

    const text = metrics.serialize().body;
    expect(store.reads).toBe(1);
    expect(text).not.toContain('demo_seen_total');
    expect(text).not.toContain('demo_outcomes_total');
    expect(text).toContain('demo_other 5\n');
    const { resourceMetrics } = await metrics.producer.collect();
    expect(store.reads).toBe(2);
    const exported = resourceMetrics.scopeMetrics[0]!.metrics;
    expect(exported.find((metric) => metric.descriptor.name === 'demo_seen_total')?.dataPoints).toEqual([]);

    fail = false;
    expect(totals(metrics.serialize().body)).toEqual({ seen: 30, kept: 9, dropped: 21, read: 3 });
    expect(store.reads).toBe(3);
  });

  it('leaves out only the family whose samples throw', () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    metrics.selfGaugeGroup(store.read, [
      {
        name: 'demo_broken',
        help: 'Throws.',
        labelNames: [],
        samples: () => {
          throw new Error('boom');
        },
      },
      {
        name: 'demo_seen_total',
        help: 'Seen.',
        labelNames: [],
        samples: (s) => [{ labels: {}, value: s.seen }],
      },
    ]);
    const text = metrics.serialize().body;
    expect(text).not.toContain('demo_broken');
    expect(text).toContain('demo_seen_total 10\n');
    expect(store.reads).toBe(1);
  });

  it('takes a self gauge of a family name in a group in its place, the rest still read once', () => {
    const metrics = createMetrics(spec);
    const store = movingStore();
    registerGroup(metrics, store.read);
    metrics.selfGauge('demo_seen_total', 'Replaced.', [], () => [{ labels: {}, value: 99 }], 'counter');

    const text = metrics.serialize().body;
    expect(store.reads).toBe(1);
    expect(text).toContain(
      '# HELP demo_seen_total Replaced.\n# TYPE demo_seen_total counter\ndemo_seen_total 99\n',
    );
    expect(text.indexOf('demo_seen_total 99')).toBeLessThan(text.indexOf('demo_outcomes_total{'));
    expect(totals(text)).toMatchObject({ kept: 3, dropped: 7, read: 1 });
  });

  it('drops the earlier family of a name a group registers again', () => {
    const metrics = createMetrics(spec);
    metrics.selfGauge('demo_reads', 'Earlier.', [], () => [{ labels: {}, value: 42 }]);
    const store = movingStore();
    registerGroup(metrics, store.read);

    const text = metrics.serialize().body;
    expect(text.match(/^# TYPE demo_reads /gm)).toHaveLength(1);
    expect(text).not.toContain('Earlier.');
    expect(totals(text).read).toBe(1);
  });
});

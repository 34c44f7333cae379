// Regression (review): the undeclared attributes of a measurement are kept on its exemplar by
// reference and read at scrape and export time, where some values threw. A value of
// Object.create(null) threw "Cannot convert object to primitive value" in the OpenMetrics
// exposition (every OpenMetrics scrape answered 500 until the slot was replaced), and so did a
// getter that throws; the MetricProducer's one try made collect() answer `metrics: []` (every
// instrument lost for that export); and OtlpJsonMetricExporter's encodeValue took an object or a
// bigint ({id: 1}, 10n) for an array and threw, so every metric export failed while the slot held
// it. Now such a value never throws: a bigint is written as its decimal, a value that is no
// attribute value (or cannot be read) is left out and counted in
// plumbline_exemplar_attributes_dropped_total. Real parts: createMetrics, its producer and
// OtlpJsonMetricExporter over HTTP to a loopback receiver, an sdk-metrics MeterProvider.
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { startDecodingReceiver } from '../support/decoding-receiver.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.duration': { description: 'd', unit: 's', attributes: ['route'], buckets: { boundaries: [1] } },
  },
  counters: { 'orders.placed': { description: 'd', attributes: ['route'] } },
  gauges: { 'orders.queue': { description: 'd' } },
});

/** Undeclared attributes that cannot be written as they are, beside ones that can. */
function hostileAttributes(): Record<string, unknown> {
  const attributes: Record<string, unknown> = {
    route: '/a',
    bare: Object.create(null) as object,
    object: { id: 1 },
    big: 10n,
    mixed: ['x', { id: 2 }],
    fine: 'kept',
  };
  Object.defineProperty(attributes, 'broken', {
    enumerable: true,
    get() {
      throw new Error('getter throws');
    },
  });
  return attributes;
}

/** Each slot's exemplars, as the measurements above leave them (always_on: no span needed). */
function recordHostile() {
  const metrics = createMetrics(spec, { exemplarFilter: 'always_on', now: () => 1_700_000_000_000 });
  metrics.histogram('orders.duration').record(0.5, hostileAttributes() as never);
  metrics.counter('orders.placed').add(1, hostileAttributes() as never);
  metrics.gauge('orders.queue').set(3);
  return metrics;
}

/** OTLP/JSON bodies a collector would refuse here: none, the receiver only keeps them. */
const receiver = () => startDecodingReceiver(() => [], cleanups);

describe('unreadable-exemplar-attribute-fails-scrape-and-export', () => {
  it('an OpenMetrics scrape writes the exemplar without the values it cannot write, and counts them', () => {
    const metrics = recordHostile();
    let body = '';
    expect(() => (body = metrics.serialize(OPENMETRICS_ACCEPT).body)).not.toThrow();
    expect(body).toContain(
      'orders_duration_seconds_bucket{route="/a",le="1.0"} 1 # {big="10",fine="kept"} 0.5 1700000000\n',
    );
    expect(body).toContain('orders_placed_total{route="/a"} 1 # {big="10",fine="kept"} 1 1700000000\n');
    // bare, object, mixed and broken on each of the two exemplars.
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="orders.duration"} 4\n');
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="orders.placed"} 4\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it("the producer's collect() keeps every instrument, with the exemplars' readable attributes", async () => {
    const metrics = recordHostile();
    const { resourceMetrics, errors } = await metrics.producer.collect();
    expect(errors).toEqual([]);
    const names = resourceMetrics.scopeMetrics[0]!.metrics.map((metric) => metric.descriptor.name);
    expect(names).toEqual(expect.arrayContaining(['orders.duration', 'orders.placed', 'orders.queue']));
    const histogram = resourceMetrics.scopeMetrics[0]!.metrics.find(
      (m) => m.descriptor.name === 'orders.duration',
    )!;
    const exemplars = (histogram.dataPoints[0] as { exemplars?: { filteredAttributes: object }[] }).exemplars;
    expect(exemplars?.map((exemplar) => exemplar.filteredAttributes)).toEqual([{ big: '10', fine: 'kept' }]);
  });

  it('OtlpJsonMetricExporter sends the batch: plumbline exemplars and another producer with object and bigint values', async () => {
    const target = await receiver();
    const metrics = recordHostile();
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, maxAttempts: 1 });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [metrics.producer],
    });
    const provider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => provider.shutdown());
    // An app's own instrument: sdk-metrics passes an object attribute value through as it is.
    provider
      .getMeter('app')
      .createCounter('app.jobs')
      .add(1, { owner: { id: 1 }, mixed: ['a', { id: 2 }], list: ['a', 'b'] } as never);
    await reader.forceFlush();

    expect(exporter.failedExports, 'failed exports').toBe(0);
    expect(target.answers).toEqual([200]);
    const sent = JSON.stringify(target.bodies[0]);
    expect(sent).toContain('"name":"orders.duration"');
    expect(sent).toContain('"name":"orders.queue"');
    expect(sent).toContain(
      '"filteredAttributes":[{"key":"big","value":{"stringValue":"10"}},{"key":"fine","value":{"stringValue":"kept"}}]',
    );
    // The other producer's point: values that are no attribute value left out, the others kept.
    expect(sent).toContain('"name":"app.jobs"');
    expect(sent).toContain(
      '{"key":"list","value":{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}}}',
    );
    expect(sent).not.toContain('"key":"owner"');
    expect(sent).not.toContain('"key":"mixed"');
  });
});

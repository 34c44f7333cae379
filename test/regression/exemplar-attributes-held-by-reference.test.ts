// Regression (metrics review): an exemplar kept the measurement's attributes object by reference
// and read it at scrape and export time, so an app that reused or changed its attributes object
// after record()/add() (a pooled object, a request context filled in later) exported the later
// values as the exemplar's filtered attributes: user_id="u-2" on an exemplar of u-1's request.
// The undeclared attributes are now copied when the exemplar takes its slot (a bound handle's
// once, when it is bound); a measurement that keeps no exemplar copies nothing. Real parts:
// createMetrics with the OTel SDK's tracer, its OpenMetrics exposition and its MetricProducer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import type { ExportedExemplar, WithExemplars } from '../../src/metrics/metric-producer.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing();
});
afterAll(() => tracing.close());

const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.duration': { description: 'd', unit: 's', attributes: ['route'], buckets: { boundaries: [1] } },
  },
  counters: { 'orders.placed': { description: 'd', attributes: ['route'] } },
});

/** The exemplar label blocks of every OpenMetrics sample line of `sample`. */
function exemplarLabels(body: string, sample: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(sample) && line.includes(' # {'))
    .map((line) => /# \{([^}]*)\}/.exec(line)![1]!.replace(/trace_id="\w+",span_id="\w+",?/, ''));
}

async function exportedExemplars(metrics: ReturnType<typeof createMetrics>, name: string) {
  const { resourceMetrics } = await metrics.producer.collect();
  const metric = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === name)!;
  return (metric.dataPoints as WithExemplars[]).flatMap((point) =>
    (point.exemplars ?? []).map((exemplar: ExportedExemplar) => exemplar.filteredAttributes),
  );
}

describe('regression: exemplar attributes were held by reference', () => {
  it('keeps the values a measurement had, whatever the app does to its object afterwards', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    const attributes: Record<string, unknown> = { route: '/a', 'user.id': 'u-1', tags: ['x'] };
    tracing.inSpan(() => {
      metrics.histogram('orders.duration').record(0.5, attributes as never);
      metrics.counter('orders.placed').add(1, attributes as never);
    });
    // The app reuses its object for the next request, outside any span (no exemplar kept).
    attributes['user.id'] = 'u-2';
    (attributes.tags as string[]).push('y');
    attributes['late.key'] = 'late';

    const body = metrics.serialize(OPENMETRICS).body;
    expect(exemplarLabels(body, 'orders_duration_seconds_bucket')).toEqual(['user_id="u-1",tags="x"']);
    expect(exemplarLabels(body, 'orders_placed_total')).toEqual(['user_id="u-1",tags="x"']);
    for (const name of ['orders.duration', 'orders.placed'])
      expect(await exportedExemplars(metrics, name), name).toEqual([{ 'user.id': 'u-1', tags: ['x'] }]);
  });

  it("keeps a bound handle's attributes as they were bound", () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    const attributes: Record<string, unknown> = { route: '/b', 'user.id': 'u-1' };
    const histogram = metrics.histogram('orders.duration').bind(attributes as never);
    const counter = metrics.counter('orders.placed').bind(attributes as never);
    attributes['user.id'] = 'u-2';
    tracing.inSpan(() => {
      histogram.record(0.5);
      counter.add(1);
    });
    attributes['user.id'] = 'u-3';
    const body = metrics.serialize(OPENMETRICS).body;
    expect(exemplarLabels(body, 'orders_duration_seconds_bucket')).toEqual(['user_id="u-1"']);
    expect(exemplarLabels(body, 'orders_placed_total')).toEqual(['user_id="u-1"']);
  });
});

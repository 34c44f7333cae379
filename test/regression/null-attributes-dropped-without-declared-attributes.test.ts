// Regression (review): on an instrument that declares no attributes, a measurement with `null`
// attributes was dropped: the series table checked `!== undefined`, then Object.keys(null) threw
// and the measurement was counted as dropped{reason="unreadable_attributes"}. On an instrument
// with attributes the same call recorded. Now null is taken as no attributes everywhere, on the
// exemplar too (its attributes are read at scrape and export time). Real parts: createMetrics,
// its exposition and producer inside a real sampled span.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

let tracing: Tracing;
beforeAll(() => (tracing = setupTracing()));
afterAll(() => tracing.close());

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  counters: { c: { description: 'd' }, routed: { description: 'd', attributes: ['route'] } },
  histograms: { h: { description: 'd', unit: 's', buckets: { boundaries: [1] } } },
  gauges: { g: { description: 'd' } },
});

describe('null-attributes-dropped-without-declared-attributes', () => {
  it('records add(1, null), record(v, null) and set(v, null) on instruments without attributes', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    tracing.inSpan(() => {
      metrics.counter('c').add(1, null as never);
      metrics.counter('routed').add(1, null as never);
      metrics.histogram('h').record(0.5, null as never);
      metrics.gauge('g').set(7, null as never);
    });
    const body = metrics.serialize().body;
    expect(body).toContain('\nc_total 1\n');
    expect(body).toContain('\nrouted_total 1\n');
    expect(body).toContain('\nh_seconds_count 1\n');
    expect(body).toContain('\ng 7\n');
    expect(body).not.toContain('plumbline_metrics_dropped_total{');

    // The exemplars those measurements left are read without their (null) attributes.
    const openMetrics = metrics.serialize(OPENMETRICS_ACCEPT).body;
    expect(openMetrics).toMatch(/^c_total 1 # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} 1 /m);
    const { resourceMetrics, errors } = await metrics.producer.collect();
    expect(errors).toEqual([]);
    const counter = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'c')!;
    expect((counter.dataPoints[0] as { exemplars?: { filteredAttributes: object }[] }).exemplars).toEqual([
      expect.objectContaining({ filteredAttributes: {} }),
    ]);
  });
});

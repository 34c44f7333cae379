// Regression (review): different invalid UTF-16 attribute values made identical series lines.
// add(1, {v: 'a\uD800'}) and add(2, {v: 'a\uDBFF'}) keyed two series, and both lone surrogates
// are written as U+FFFD: two lines `c_total{v="a�"}` (promtool: "metric not unique"), and
// Prometheus dropped a sample every scrape. Now a value is made well-formed before it keys a
// series (only where a new series is looked for: the record path of well-formed strings is as
// it was), so both are one series. The SDK's own series keyed by app strings (undeclared
// attribute names, unknown instrument names) likewise. Real parts: createMetrics, its producer,
// and promtool on the exposition.
import { describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  counters: { c: { description: 'd', attributes: ['v'] } },
  histograms: { h: { description: 'd', unit: 's', attributes: ['v', 'w'], buckets: { boundaries: [1] } } },
});

describe('invalid-utf16-attribute-values-duplicate-series', () => {
  it('puts values that are written alike in one series; the exposition passes promtool', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const counter = metrics.counter('c');
    counter.add(1, { v: 'a\uD800' });
    counter.add(2, { v: 'a\uDBFF' });
    counter.bind({ v: 'a\uDC00' }).add(4);
    counter.add(8, { v: 'a\uFFFD' }); // what they are written as
    metrics.histogram('h').record(0.5, { v: 'x\uD800y', w: ['\uDBFF', 'z'] });
    metrics.histogram('h').record(0.5, { v: 'x\uDFFFy', w: ['\uD801', 'z'] });
    // An undeclared attribute's name and an unknown instrument's name key the SDK's own series.
    metrics.counter('c').add(1, { v: 'b', 'n\uD800': 1 });
    metrics.counter('c').add(1, { v: 'c', 'n\uDBFF': 1 });
    (metrics.counter as (name: string) => { add(v: number): void })('gone\uD800').add(1);
    (metrics.counter as (name: string) => { add(v: number): void })('gone\uDBFF').add(1);

    const body = metrics.serialize().body;
    expect(body.match(/^c_total\{v="a\uFFFD"\}.*$/gm)).toEqual(['c_total{v="a\uFFFD"} 15']);
    expect(body.match(/^h_seconds_count.*$/gm)).toEqual(['h_seconds_count{v="x\uFFFDy",w="\uFFFD,z"} 2']);
    expect(body).toContain(
      'plumbline_metrics_undeclared_attributes_total{metric="c",attribute="n\uFFFD"} 2\n',
    );
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="gone\uFFFD",reason="unknown_instrument"} 2\n',
    );
    const checked = await promtoolCheckMetrics(body);
    expect(checked.output).toBe('');
    expect(checked.code).toBe(0);

    // The series' attributes (OTLP data points) are the well-formed values too.
    const { resourceMetrics } = await metrics.producer.collect();
    const points = resourceMetrics.scopeMetrics[0]!.metrics.find(
      (m) => m.descriptor.name === 'c',
    )!.dataPoints;
    expect(points.map((point) => point.attributes)).toEqual([{ v: 'a\uFFFD' }, { v: 'b' }, { v: 'c' }]);
  });
});

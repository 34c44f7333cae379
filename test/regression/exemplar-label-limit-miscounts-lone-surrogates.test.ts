// Regression (review): the OpenMetrics exemplar label limit (128 code points for the label names
// and values together) was counted by taking one off per high surrogate, partner or not; a lone
// surrogate is then written as U+FFFD, one code point of its own. '\uD800'.repeat(100) was
// counted as none and written as 100 U+FFFD: an exemplar of 164 code points that Prometheus drops
// without a sound, and nothing counted. Now values are made well-formed before they are counted,
// so what is counted is what is written, and what does not fit is left out and counted in
// plumbline_exemplar_attributes_dropped_total. Real parts: createMetrics' exposition inside a real
// sampled span.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, EXEMPLAR_LABEL_LIMIT } from '../../src/index.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0';

let tracing: Tracing;
beforeAll(() => (tracing = setupTracing()));
afterAll(() => tracing.close());

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.duration': { description: 'd', unit: 's', buckets: { boundaries: [1] } },
  },
});

/** The exemplar's labels on the +Inf bucket line, as a reader of the body sees them. */
function exemplarLabels(body: string): [string, string][] {
  const line = body.split('\n').find((l) => l.startsWith('orders_duration_seconds_bucket{le="1.0"}'))!;
  const labels = /# \{(.*)\}/.exec(line)![1]!;
  return [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
}

const codePoints = (text: string) => [...text].length;

describe('exemplar-label-limit-miscounts-lone-surrogates', () => {
  it('counts a lone surrogate as the one U+FFFD it is written as, and leaves out what does not fit', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    tracing.inSpan(() =>
      metrics.histogram('orders.duration').record(0.5, { v: '\uD800'.repeat(100), w: 'short' }),
    );
    const body = metrics.serialize(OPENMETRICS_ACCEPT).body;
    const labels = exemplarLabels(body);
    const total = labels.reduce((sum, [name, value]) => sum + codePoints(name) + codePoints(value), 0);
    expect(total, labels.map(([name]) => name).join(',')).toBeLessThanOrEqual(EXEMPLAR_LABEL_LIMIT);
    expect(labels.map(([name]) => name)).toEqual(['trace_id', 'span_id', 'w']);
    expect(body).toContain('plumbline_exemplar_attributes_dropped_total{metric="orders.duration"} 1\n');
  });

  it('keeps a value of lone surrogates that fits, written well-formed; pairs still count as one', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    // 63 (trace and span IDs) + 1 + 64 = 128: fits exactly. 32 lone low and 32 lone high surrogates.
    const lone = '\uDC00'.repeat(32) + '\uDBFF'.repeat(32);
    tracing.inSpan(() => metrics.histogram('orders.duration').record(0.5, { v: lone }));
    let labels = exemplarLabels(metrics.serialize(OPENMETRICS_ACCEPT).body);
    expect(labels.map(([name]) => name)).toEqual(['trace_id', 'span_id', 'v']);
    expect(labels[2]![1]).toBe('\uFFFD'.repeat(64));

    // 64 emoji are 128 UTF-16 units but 64 code points: they fit too.
    tracing.inSpan(() => metrics.histogram('orders.duration').record(0.5, { v: '😀'.repeat(64) }));
    labels = exemplarLabels(metrics.serialize(OPENMETRICS_ACCEPT).body);
    expect(labels[2]).toEqual(['v', '😀'.repeat(64)]);
    expect(metrics.serialize().body).not.toContain('plumbline_exemplar_attributes_dropped_total{');
  });
});

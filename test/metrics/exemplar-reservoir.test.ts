// The exemplar reservoir through createMetrics: a span is asked about (and marked) once per slot,
// its newer measurements still win the slot, and a child context of the same span is the same
// exemplar.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, createContextKey } from '@opentelemetry/api';
import { createMetrics } from '../../src/metrics/index.js';
import { setupTracing, type Tracing } from './tracing.js';
import { HTTP_SERVER_DURATION_ATTRIBUTES } from '../../src/spec/semconv-http.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing();
});
afterAll(() => tracing.close());

const spec = {
  service: { name: 'checkout' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Request duration.',
      unit: 's',
      // The spec check requires the HTTP convention's attributes of this metric name.
      attributes: HTTP_SERVER_DURATION_ATTRIBUTES,
      buckets: { boundaries: [0.1, 1] },
    },
  },
} as const;

function bucketLines(body: string): string[] {
  return body.split('\n').filter((line) => line.startsWith('http_server_request_duration_seconds_bucket'));
}

describe('exemplar reservoir', () => {
  it('asks onExemplar once per span and slot; the span newer measurements still replace the value', () => {
    const marked: string[] = [];
    let now = 1_700_000_000_000;
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      now: () => now,
      onExemplar: (_traceId, spanId) => void marked.push(spanId),
    });
    const histogram = metrics.histogram('http.server.request.duration');
    const bound = histogram.bind({ 'http.route': '/a' });
    const first = tracing.inSpan((span) => {
      bound.record(0.01);
      now += 1000;
      bound.record(0.02);
      bound.record(0.5); // another bucket: another slot, asked again
      histogram.record(0.03, { 'http.route': '/b' }); // another series: asked again
      // A child context of the same span (a value added): the same exemplar, not asked again.
      context.with(context.active().setValue(createContextKey('child'), 1), () => bound.record(0.04));
      return span.spanContext();
    });
    const second = tracing.inSpan((span) => (bound.record(0.05), span.spanContext()));
    expect(marked).toEqual([first.spanId, first.spanId, first.spanId, second.spanId]);
    const lines = bucketLines(metrics.serialize('application/openmetrics-text').body);
    expect(lines[0]).toBe(
      `http_server_request_duration_seconds_bucket{http_route="/a",le="0.1"} 4 # {trace_id="${second.traceId}",span_id="${second.spanId}"} 0.05 1700000001`,
    );
    expect(lines[1]).toBe(
      `http_server_request_duration_seconds_bucket{http_route="/a",le="1.0"} 5 # {trace_id="${first.traceId}",span_id="${first.spanId}"} 0.5 1700000001`,
    );
  });

  it('asks again for a span whose trace was refused, and keeps the slot as it was', () => {
    const asked: string[] = [];
    let refuse = false;
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      now: () => 1_700_000_000_000,
      onExemplar: (_traceId, spanId) => (asked.push(spanId), !refuse),
    });
    const bound = metrics.histogram('http.server.request.duration').bind({ 'http.route': '/a' });
    const kept = tracing.inSpan((span) => (bound.record(0.01), span.spanContext()));
    refuse = true;
    const refused = tracing.inSpan((span) => {
      bound.record(0.02);
      bound.record(0.03);
      return span.spanContext();
    });
    expect(asked).toEqual([kept.spanId, refused.spanId, refused.spanId]);
    expect(bucketLines(metrics.serialize('application/openmetrics-text').body)[0]).toBe(
      `http_server_request_duration_seconds_bucket{http_route="/a",le="0.1"} 3 # {trace_id="${kept.traceId}",span_id="${kept.spanId}"} 0.01 1700000000`,
    );
  });

  it("tells onExemplar how old the slot's exemplar is (Infinity for an empty slot)", () => {
    const ages: number[] = [];
    let now = 1_700_000_000_000;
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      now: () => now,
      onExemplar: (_traceId, _spanId, _span, slotAgeMs) => void ages.push(slotAgeMs),
    });
    const bound = metrics.histogram('http.server.request.duration').bind({ 'http.route': '/a' });
    tracing.inSpan(() => bound.record(0.01));
    now += 2_500;
    tracing.inSpan(() => bound.record(0.02));
    now += 40;
    tracing.inSpan(() => bound.record(0.5)); // the other bucket: an empty slot
    expect(ages).toEqual([Number.POSITIVE_INFINITY, 2_500, Number.POSITIVE_INFINITY]);
  });
});

// createMetrics: recording, bound handles, invalid input counted (never thrown), listeners,
// exemplar filters with real spans, slow-bucket and rate limits, and the trace marking hook.
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { createMetrics } from '../../src/metrics/index.js';
import { SpecError } from '../../src/spec/errors.js';
import { setupTracing, type Tracing } from './tracing.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing();
});
afterAll(() => tracing.close());
afterEach(() => vi.unstubAllEnvs());

const spec = {
  service: { name: 'checkout', version: '1.2.3' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Request duration.',
      unit: 's',
      // The HTTP convention's attributes, which the spec check requires of this metric name.
      attributes: [
        'http.route',
        'http.response.status_code',
        'http.request.method',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: [0.1, 0.25, 1] },
    },
    'queue.wait': {
      description: 'Queue wait.',
      unit: 'ms',
      buckets: { boundaries: [10, 100, 1000] },
      exemplars: { minValue: 100, maxPerSecond: 2 },
    },
    'payload.size': {
      description: 'Payload size.',
      unit: 'By',
      buckets: { boundaries: [100, 1000] },
      exemplars: { enabled: false },
    },
  },
  counters: { 'jobs.processed': { description: 'Jobs.', attributes: ['queue'] } },
  gauges: { 'queue.depth': { description: 'Depth.', attributes: ['queue'] } },
} as const;

function snapshotOf(
  metrics: ReturnType<typeof createMetrics<typeof spec>>,
  name: 'http.server.request.duration' | 'queue.wait' | 'payload.size',
) {
  return metrics.histogramSnapshot(name);
}

describe('createMetrics', () => {
  it('aggregates measurements per declared attribute set, ignoring undeclared keys', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const histogram = metrics.histogram('http.server.request.duration');
    histogram.record(0.05, { 'http.route': '/a', 'http.response.status_code': 200 });
    histogram.record(0.2, { 'http.route': '/a', 'http.response.status_code': '200', 'user.id': 'u1' });
    histogram.record(5, { 'http.route': '/b' });
    const bound = histogram.bind({ 'http.route': '/a', 'http.response.status_code': 200 });
    bound.record(0.25);
    const snapshot = snapshotOf(metrics, 'http.server.request.duration');
    expect(snapshot).toHaveLength(2);
    expect(snapshot[0]).toMatchObject({
      attributes: { 'http.route': '/a', 'http.response.status_code': '200' },
      upperBounds: [0.1, 0.25, 1, Infinity],
      cumulativeCounts: [1, 3, 3, 3],
      count: 3,
    });
    expect(snapshot[0]!.sum).toBeCloseTo(0.5, 12);
    expect(snapshot[1]).toMatchObject({
      attributes: { 'http.route': '/b' },
      cumulativeCounts: [0, 0, 0, 1],
      sum: 5,
    });
  });

  it('counts and ignores invalid values and unknown names instead of throwing', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const histogram = metrics.histogram('http.server.request.duration');
    for (const bad of [NaN, -1, Infinity, '3' as unknown as number, undefined as unknown as number]) {
      expect(() => histogram.record(bad, { 'http.route': '/a' })).not.toThrow();
      expect(() => histogram.bind({}).record(bad)).not.toThrow();
    }
    metrics.counter('jobs.processed').add(-2);
    metrics.gauge('queue.depth').set(NaN);
    // @ts-expect-error not a histogram of this spec
    metrics.histogram('no.such.histogram').record(1);
    // @ts-expect-error not a counter of this spec
    metrics.counter('no.such.counter').bind({}).add(1);
    // bind({}) made the attribute-less series; nothing was recorded into any series.
    expect(snapshotOf(metrics, 'http.server.request.duration').map((series) => series.count)).toEqual([0]);
    const body = metrics.serialize().body;
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="http.server.request.duration",reason="invalid_value"} 10',
    );
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="jobs.processed",reason="invalid_value"} 1',
    );
    expect(body).toContain('plumbline_metrics_dropped_total{metric="queue.depth",reason="invalid_value"} 1');
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="no.such.histogram",reason="unknown_instrument"} 1',
    );
    expect(body).toContain(
      'plumbline_metrics_dropped_total{metric="no.such.counter",reason="unknown_instrument"} 1',
    );
  });

  it('types handle names from the spec', () => {
    const metrics = createMetrics(spec);
    expectTypeOf(metrics.histogram)
      .parameter(0)
      .toEqualTypeOf<'http.server.request.duration' | 'queue.wait' | 'payload.size'>();
    expectTypeOf(metrics.counter).parameter(0).toEqualTypeOf<'jobs.processed'>();
    expectTypeOf(metrics.gauge).parameter(0).toEqualTypeOf<'queue.depth'>();
  });

  it('calls listeners after aggregation with the value and attributes, bound or not', () => {
    const seen: [string, number, unknown][] = [];
    const metrics = createMetrics(spec, {
      exemplarFilter: 'always_off',
      listeners: {
        histograms: {
          'http.server.request.duration': [
            (value, attributes) => seen.push(['h', value, attributes['http.route']]),
            () => {
              throw new Error('a broken listener does not break recording');
            },
          ],
        },
        counters: { 'jobs.processed': [(value, attributes) => seen.push(['c', value, attributes.queue])] },
      },
    });
    metrics.histogram('http.server.request.duration').record(0.3, { 'http.route': '/x' });
    metrics.histogram('http.server.request.duration').bind({ 'http.route': '/y' }).record(0.4);
    metrics.histogram('http.server.request.duration').record(-1, { 'http.route': '/x' });
    metrics.counter('jobs.processed').add(2, { queue: 'q1' });
    metrics.counter('jobs.processed').bind({ queue: 'q2' }).add(1);
    metrics.histogram('queue.wait').record(5);
    expect(seen).toEqual([
      ['h', 0.3, '/x'],
      ['h', 0.4, '/y'],
      ['c', 2, 'q1'],
      ['c', 1, 'q2'],
    ]);
    expect(snapshotOf(metrics, 'http.server.request.duration').map((s) => s.count)).toEqual([1, 1]);
  });

  it('keeps one exemplar per bucket, newest sampled measurement wins, and marks its trace', () => {
    const marked: [string, string][] = [];
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      onExemplar: (traceId, spanId) => void marked.push([traceId, spanId]),
    });
    const histogram = metrics.histogram('http.server.request.duration');
    const route = { 'http.route': '/a' };
    const first = tracing.inSpan((span) => (histogram.record(0.05, route), span.spanContext()));
    const second = tracing.inSpan((span) => (histogram.record(0.07, route), span.spanContext()));
    const slow = tracing.inSpan((span) => (histogram.record(0.5, route), span.spanContext()));
    histogram.record(0.06, route); // outside any span: counted, no exemplar
    tracing.inUnsampledSpan(() => histogram.record(0.08, route)); // unsampled: no exemplar
    expect(marked).toEqual([
      [first.traceId, first.spanId],
      [second.traceId, second.spanId],
      [slow.traceId, slow.spanId],
    ]);
    const body = metrics.serialize('application/openmetrics-text').body;
    const bucketLines = body
      .split('\n')
      .filter((line) => line.startsWith('http_server_request_duration_seconds_bucket{http_route="/a"'));
    expect(bucketLines[0]).toMatch(
      new RegExp(
        `le="0.1"\\} 4 # \\{trace_id="${second.traceId}",span_id="${second.spanId}"\\} 0.07 \\d+(\\.\\d+)?$`,
      ),
    );
    expect(bucketLines[1]).toMatch(/le="0.25"\} 4$/);
    expect(bucketLines[2]).toContain(
      `le="1.0"} 5 # {trace_id="${slow.traceId}",span_id="${slow.spanId}"} 0.5 `,
    );
    expect(bucketLines[3]).toMatch(/le="\+Inf"\} 5$/);
  });

  it('takes the exemplar span from a context passed to record/add (OTel style), with no active span', () => {
    const marked: [string, string, string][] = [];
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      onExemplar: (traceId, spanId, span) => void marked.push([traceId, spanId, span.spanContext().spanId]),
    });
    const spanContext = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
    };
    const passed = trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(spanContext));
    expect(trace.getActiveSpan()).toBeUndefined();
    const histogram = metrics.histogram('http.server.request.duration');
    histogram.record(0.5, { 'http.route': '/a' }, passed);
    histogram.bind({ 'http.route': '/b' }).record(0.5, passed);
    metrics.counter('jobs.processed').add(1, { queue: 'q' }, passed);
    metrics.counter('jobs.processed').bind({ queue: 'r' }).add(1, passed);
    histogram.record(0.5, { 'http.route': '/c' }); // no context passed, none active: no exemplar
    const expected = [spanContext.traceId, spanContext.spanId, spanContext.spanId];
    expect(marked).toEqual([expected, expected, expected, expected]);
    const body = metrics.serialize('application/openmetrics-text').body;
    const exemplar = `# {trace_id="${spanContext.traceId}",span_id="${spanContext.spanId}"}`;
    expect(body).toContain(`http_route="/a",le="1.0"} 1 ${exemplar} 0.5 `);
    expect(body).toContain(`http_route="/b",le="1.0"} 1 ${exemplar} 0.5 `);
    expect(body).toMatch(/http_route="\/c",le="1.0"\} 1\n/);
    expect(body).toContain(`jobs_processed_total{queue="q"} 1 ${exemplar} 1 `);
    expect(body).toContain(`jobs_processed_total{queue="r"} 1 ${exemplar} 1 `);
  });

  it('with always_on, measurements outside spans become exemplars without trace labels', () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_on', now: () => 1_700_000_000_500 });
    metrics.histogram('http.server.request.duration').record(0.2, { 'http.route': '/a' });
    tracing.inUnsampledSpan(() => metrics.counter('jobs.processed').add(1, { queue: 'q' }));
    const body = metrics.serialize('application/openmetrics-text').body;
    expect(body).toContain('le="0.25"} 1 # {} 0.2 1700000000.5\n');
    expect(body).toMatch(
      /jobs_processed_total\{queue="q"\} 1 # \{trace_id="a{31}\d",span_id="b{15}\d"\} 1 1700000000.5\n/,
    );
  });

  it('with always_off (option or OTEL_METRICS_EXEMPLAR_FILTER) stores no exemplars and builds no reservoirs', () => {
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'always_off');
    const marked: string[] = [];
    const metrics = createMetrics(spec, { onExemplar: (traceId) => void marked.push(traceId) });
    expect(metrics.exemplarFilter).toBe('always_off');
    tracing.inSpan(() =>
      metrics.histogram('http.server.request.duration').record(0.2, { 'http.route': '/a' }),
    );
    tracing.inSpan(() => metrics.counter('jobs.processed').add(1, { queue: 'q' }));
    expect(marked).toEqual([]);
    expect(metrics.serialize('application/openmetrics-text').body).not.toContain(' # {');
    const collected = metrics.producer.collect();
    return collected.then(({ resourceMetrics }) => {
      for (const metric of resourceMetrics.scopeMetrics[0]!.metrics) {
        for (const point of metric.dataPoints)
          expect((point as { exemplars?: unknown }).exemplars).toBeUndefined();
      }
    });
  });

  it('reads OTEL_METRICS_EXEMPLAR_FILTER, the option winning over it', () => {
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'ALWAYS_ON');
    expect(createMetrics(spec).exemplarFilter).toBe('always_on');
    expect(createMetrics(spec, { exemplarFilter: 'trace_based' }).exemplarFilter).toBe('trace_based');
    vi.stubEnv('OTEL_METRICS_EXEMPLAR_FILTER', 'bogus');
    expect(createMetrics(spec).exemplarFilter).toBe('trace_based');
  });

  it('keeps exemplars only in buckets above minValue, at most maxPerSecond per series, and none where disabled', () => {
    let now = 1_000_000;
    const marked: string[] = [];
    const metrics = createMetrics(spec, {
      exemplarFilter: 'trace_based',
      now: () => now,
      onExemplar: (traceId) => void marked.push(traceId),
    });
    const wait = metrics.histogram('queue.wait');
    tracing.inSpan(() => wait.record(50)); // le=100 bucket: its bound is not above minValue 100
    tracing.inSpan(() => wait.record(100));
    expect(marked).toHaveLength(0);
    tracing.inSpan(() => wait.record(500));
    tracing.inSpan(() => wait.record(5000));
    tracing.inSpan(() => wait.record(600)); // third in this second: rate-limited
    expect(marked).toHaveLength(2);
    now += 1000;
    tracing.inSpan(() => wait.record(700));
    expect(marked).toHaveLength(3);
    tracing.inSpan(() => metrics.histogram('payload.size').record(5000));
    expect(marked).toHaveLength(3);
    const body = metrics.serialize('application/openmetrics-text').body;
    expect(body).toMatch(
      /queue_wait_milliseconds_bucket\{le="1000.0"\} 5 # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} 700 1001$/m,
    );
    expect(body).toMatch(/payload_size_bytes_bucket\{le="\+Inf"\} 1\n/);
  });

  it('fails setup with a SpecError naming the field when an SLO threshold is not a boundary', () => {
    expect(() =>
      createMetrics({
        ...spec,
        slos: {
          fast: {
            description: 'x',
            objective: 99,
            sli: { kind: 'latency', histogram: 'http.server.request.duration', threshold: 0.3 },
          },
        },
      }),
    ).toThrow(SpecError);
  });
});

import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { checkExposition, checkSliSeries } from '../../src/check/check-exposition.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import { parseExposition } from '../../src/check/openmetrics-parser.js';
import { createMetrics, type TelemetrySpec } from '../../src/index.js';
import { checkSpec, okRequest } from './check-spec.js';

const OM = 'application/openmetrics-text;version=1.0.0';
const sampled = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
});

/** The deviations of `spec` against what a service built from `built` serves on /metrics. */
function deviationsOf(
  spec: TelemetrySpec,
  built: TelemetrySpec,
  load: (metrics: ReturnType<typeof createMetrics>) => void,
  accept = OM,
): string[] {
  const metrics = createMetrics(built);
  load(metrics);
  const parsed = parseExposition(metrics.serialize(accept).body);
  const deviations = new Deviations();
  const expected = expectedTelemetry(spec);
  checkExposition(expected, parsed, accept === OM, deviations);
  checkSliSeries(spec, expected, parsed, deviations);
  return deviations.list().map((d) => `${d.kind} ${d.subject}`);
}

function conformingLoad(metrics: ReturnType<typeof createMetrics>): void {
  const duration = metrics.histogram('http.server.request.duration');
  duration.record(0.02, okRequest);
  duration.record(0.3, okRequest, sampled);
  duration.record(0.05, { ...okRequest, 'http.response.status_code': 503, 'error.type': '503' });
  metrics.counter('shop.orders').add(1, { tenant: 'acme' });
  metrics.gauge('shop.queue.depth').set(3);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- drifting a deep copy of a typed spec */
function change(mutate: (spec: any) => void): TelemetrySpec {
  const copy = structuredClone(checkSpec) as any;
  mutate(copy);
  return copy as TelemetrySpec;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

describe('checkExposition', () => {
  it('finds nothing when /metrics is what the spec says', () => {
    expect(deviationsOf(checkSpec, checkSpec, conformingLoad)).toEqual([]);
  });

  it('names an attribute the build records and the spec does not declare', () => {
    const spec = change((s) => s.counters['shop.orders'].attributes.pop());
    expect(deviationsOf(spec, checkSpec, conformingLoad)).toEqual([
      'undeclared-attribute shop.orders tenant',
    ]);
  });

  it('names a metric the spec does not declare', () => {
    const spec = change((s) => delete s.gauges['shop.queue.depth']);
    expect(deviationsOf(spec, checkSpec, conformingLoad)).toEqual(['undeclared-metric shop_queue_depth']);
  });

  it('names boundaries that differ from the plan', () => {
    const spec = change((s) => {
      s.histograms['http.server.request.duration'].buckets = { fromSlos: { min: 0.005, max: 10 } };
    });
    expect(deviationsOf(spec, checkSpec, conformingLoad)).toEqual([
      'bucket-mismatch http.server.request.duration',
    ]);
  });

  it('names a unit and a type that differ', () => {
    const spec = change((s) => {
      s.gauges['shop.queue.depth'].unit = 'By';
      s.counters['shop.orders'] = undefined;
      delete s.counters['shop.orders'];
      s.gauges['shop.orders'] = { description: 'x', unit: '{order}', attributes: ['tenant'] };
    });
    const found = deviationsOf(spec, checkSpec, conformingLoad);
    expect(found).toContain('type-mismatch shop.orders');
    // The family name carries the unit too, so a changed unit is also a metric the spec lacks.
    expect(found).toContain('undeclared-metric shop_queue_depth');
  });

  it('names a sensitive field recorded as a metric attribute in clear', () => {
    const spec = change((s) => {
      s.events['order.placed'].fields.tenant = { type: 'string', sensitive: true };
    });
    expect(deviationsOf(spec, checkSpec, conformingLoad)).toEqual([
      'sensitive-unredacted http.server.request.duration tenant',
      'sensitive-unredacted shop.orders tenant',
    ]);
  });

  it('names the overflow series once a build records past the cardinality cap', () => {
    expect(
      deviationsOf(checkSpec, checkSpec, (metrics) => {
        conformingLoad(metrics);
        for (let i = 0; i < 60; i++)
          metrics.histogram('http.server.request.duration').record(0.01, { ...okRequest, tenant: `t${i}` });
      }),
    ).toEqual(['cardinality-exceeded http.server.request.duration']);
  });

  it('names missing exemplars: slow requests recorded outside any sampled span', () => {
    expect(
      deviationsOf(checkSpec, checkSpec, (metrics) => {
        metrics.histogram('http.server.request.duration').record(0.3, okRequest);
      }),
    ).toEqual(['exemplars-missing http.server.request.duration']);
  });

  it('holds http.server.request.duration to the HTTP convention: required attributes, values, error.type on 5xx', () => {
    expect(
      deviationsOf(checkSpec, checkSpec, (metrics) => {
        conformingLoad(metrics);
        const duration = metrics.histogram('http.server.request.duration');
        duration.record(0.01, { ...okRequest, 'http.response.status_code': 500 });
        duration.record(0.01, { ...okRequest, 'url.scheme': 'ftp' });
        duration.record(0.01, { 'http.route': '/orders', tenant: 'acme' });
        duration.record(0.01, { ...okRequest, 'http.request.method': 'post' });
      }),
    ).toEqual([
      'semconv http.server.request.duration error.type',
      'semconv http.server.request.duration http.request.method',
      'semconv http.server.request.duration http.response.status_code',
      'semconv http.server.request.duration url.scheme',
    ]);
  });

  it('names the SLI series absent when no request matched the SLI', () => {
    expect(
      deviationsOf(checkSpec, checkSpec, (metrics) => {
        metrics
          .histogram('http.server.request.duration')
          .record(0.01, { ...okRequest, 'http.route': '/health' });
      }),
    ).toEqual(['sli-series-absent latency http.server.request.duration']);
  });

  it('does not hold a pipeline SLI to /metrics: its export counters come with the first OTLP export', () => {
    const spec = {
      ...checkSpec,
      slos: { ...checkSpec.slos, export: { description: 'd', objective: 99, sli: { kind: 'pipeline' } } },
    } satisfies TelemetrySpec;
    expect(deviationsOf(spec, spec, conformingLoad)).toEqual([]);
  });

  it("accepts what OTel's Prometheus exporters add: target_info and otel_scope_* labels", () => {
    const deviations = new Deviations();
    checkExposition(
      expectedTelemetry(checkSpec),
      parseExposition(
        '# TYPE target info\ntarget_info{service_name="shop"} 1\n' +
          '# TYPE shop_queue_depth gauge\nshop_queue_depth{otel_scope_name="shop",otel_scope_version="1"} 2\n# EOF\n',
      ),
      true,
      deviations,
    );
    expect(deviations.list()).toEqual([]);
  });

  it('reports an exposition that does not end in # EOF', () => {
    const deviations = new Deviations();
    checkExposition(
      expectedTelemetry(checkSpec),
      parseExposition('# TYPE shop_queue_depth gauge\n'),
      true,
      deviations,
    );
    expect(deviations.list().map((d) => d.kind)).toEqual(['exposition-invalid']);
  });
});

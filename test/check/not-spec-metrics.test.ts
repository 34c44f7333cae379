// Metrics that are not the spec's: an OpenTelemetry instrumentation scope's (over OTLP, by
// `otel_scope_name` on /metrics, or by the scope OTLP brought for a /metrics family without it),
// or an allowed prefix's, are listed and fail nothing; a metric the service makes under its own
// meter stays `undeclared-metric`; a declared name keeps every check whatever its scope.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metrics } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { checkExposition } from '../../src/check/check-exposition.js';
import { OtlpChecker } from '../../src/check/check-otlp.js';
import { Deviations } from '../../src/check/deviations.js';
import { expectedTelemetry } from '../../src/check/expected.js';
import { checkUnderLoad } from '../../src/check/index.js';
import { isInstrumentationScope, NotSpecMetrics } from '../../src/check/not-spec-metrics.js';
import { parseExposition } from '../../src/check/openmetrics-parser.js';
import { decodeOtlpRequest, type OtlpMetric } from '../../src/check/otlp-decode.js';
import { createTelemetry } from '../../src/index.js';
import { checkSpec } from './check-spec.js';

const HTTP = '@opentelemetry/instrumentation-http';
const UNDICI = '@opentelemetry/instrumentation-undici';
const RUNTIME = '@opentelemetry/instrumentation-runtime-node';

function otlpMetric(name: string, scope: string, overrides: Partial<OtlpMetric> = {}): OtlpMetric {
  return { name, unit: 's', type: 'gauge', monotonic: false, points: [], resource: {}, scope, ...overrides };
}

/** A checker pair as the live check wires it. */
function checkers(allowMetrics?: readonly string[]) {
  const deviations = new Deviations();
  const notSpec = new NotSpecMetrics(deviations, allowMetrics);
  const expected = expectedTelemetry(checkSpec);
  const otlp = new OtlpChecker(checkSpec, expected, deviations, notSpec);
  const scrape = (text: string) =>
    checkExposition(expected, parseExposition(text), true, deviations, notSpec);
  const results = () => {
    notSpec.finish();
    return {
      deviations: deviations
        .list()
        .map((d) => `${d.kind} ${d.subject} (${d.source}): ${d.detail} ×${d.count}`),
      notSpec: notSpec.list().map((m) => `${m.name} (${m.source}): ${m.reason} ×${m.count}`),
    };
  };
  return { otlp, scrape, results };
}

const EVENTLOOP_FAMILY =
  '# TYPE nodejs_eventloop_delay_max_seconds gauge\n# UNIT nodejs_eventloop_delay_max_seconds seconds\n' +
  'nodejs_eventloop_delay_max_seconds 0.01\n';
const OWN_FAMILY = '# TYPE shop_refunds counter\nshop_refunds_total 1\n';

describe('isInstrumentationScope', () => {
  it("knows OpenTelemetry's packages and packages named as instrumentations, not the service's meters", () => {
    for (const scope of [
      HTTP,
      RUNTIME,
      '@opentelemetry/host-metrics',
      '@prisma/instrumentation',
      'opentelemetry-instrumentation-kafkajs',
      '@acme/instrumentation-queue',
      '@fastify/otel',
      'io.opentelemetry.runtime-telemetry-java8',
      'go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp',
      'opentelemetry.instrumentation.flask',
    ])
      expect(isInstrumentationScope(scope), scope).toBe(true);
    for (const scope of [
      'plumbline',
      'shop',
      '',
      '@acme/orders',
      'orders-instrumentation',
      '@acme/otel-utils',
    ])
      expect(isInstrumentationScope(scope), scope).toBe(false);
  });
});

describe('metrics not the spec’s, over OTLP', () => {
  it('reads each metric’s scope from scopeMetrics[].scope.name', () => {
    const body = JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [] },
          scopeMetrics: [
            {
              scope: { name: HTTP, version: '0.210.0' },
              metrics: [{ name: 'a', gauge: { dataPoints: [] } }],
            },
            { metrics: [{ name: 'b', gauge: { dataPoints: [] } }] },
          ],
        },
      ],
    });
    const decoded = decodeOtlpRequest('metrics', Buffer.from(body), 'application/json');
    expect(decoded.metrics.map((m) => [m.name, m.scope])).toEqual([
      ['a', HTTP],
      ['b', ''],
    ]);
  });

  it('lists an instrumentation scope’s undeclared metrics; the service’s own meters stay undeclared', () => {
    const { otlp, results } = checkers();
    otlp.checkMetric(otlpMetric('http.client.request.duration', HTTP, { type: 'histogram' }));
    otlp.checkMetric(otlpMetric('http.client.request.duration', HTTP, { type: 'histogram' }));
    otlp.checkMetric(otlpMetric('nodejs.eventloop.delay.max', RUNTIME));
    otlp.checkMetric(otlpMetric('shop.refunds', 'plumbline', { type: 'sum', monotonic: true }));
    otlp.checkMetric(otlpMetric('shop.returns', 'shop', { type: 'sum', monotonic: true }));
    otlp.checkMetric(otlpMetric('shop.unscoped', ''));
    expect(results()).toEqual({
      deviations: [
        'undeclared-metric shop.refunds (otlp-metrics): sum, not in the spec (scope plumbline) ×1',
        'undeclared-metric shop.returns (otlp-metrics): sum, not in the spec (scope shop) ×1',
        'undeclared-metric shop.unscoped (otlp-metrics): gauge, not in the spec ×1',
      ],
      notSpec: [
        `http.client.request.duration (otlp-metrics): instrumentation scope ${HTTP} ×2`,
        `nodejs.eventloop.delay.max (otlp-metrics): instrumentation scope ${RUNTIME} ×1`,
      ],
    });
  });

  it('still checks a declared name from an instrumentation scope: a different shape deviates as before', () => {
    const { otlp, results } = checkers();
    otlp.checkMetric(
      otlpMetric('http.server.request.duration', HTTP, {
        type: 'histogram',
        unit: 'ms',
        points: [
          {
            attributes: { 'server.address': 'x' },
            explicitBounds: [0, 5],
            bucketCounts: [0, 1, 0],
            exemplars: 0,
          },
        ],
      }),
    );
    otlp.checkMetric(otlpMetric('shop.orders', HTTP, { type: 'gauge', unit: '{order}' }));
    const { deviations, notSpec } = results();
    expect(notSpec).toEqual([]);
    expect(deviations.map((d) => d.split(':')[0])).toEqual([
      'undeclared-attribute http.server.request.duration server.address (otlp-metrics)',
      'bucket-mismatch http.server.request.duration (otlp-metrics)',
      'unit-mismatch http.server.request.duration (otlp-metrics)',
      'type-mismatch shop.orders (otlp-metrics)',
      'semconv http.server.request.duration http.request.method (otlp-metrics)',
      'semconv http.server.request.duration http.response.status_code (otlp-metrics)',
      'semconv http.server.request.duration url.scheme (otlp-metrics)',
    ]);
  });
});

describe('metrics not the spec’s, on /metrics', () => {
  it('lists a family whose every series names an instrumentation scope (otel_scope_name)', () => {
    const { scrape, results } = checkers();
    const family =
      '# TYPE http_client_request_duration_seconds gauge\n' +
      `http_client_request_duration_seconds{otel_scope_name="${HTTP}"} 1\n` +
      `http_client_request_duration_seconds{otel_scope_name="${UNDICI}"} 1\n`;
    scrape(family + '# EOF\n');
    scrape(family + '# EOF\n');
    expect(results()).toEqual({
      deviations: [],
      notSpec: [
        `http_client_request_duration_seconds (metrics): instrumentation scopes ${HTTP}, ${UNDICI} ×2`,
      ],
    });
  });

  it('reports a family one of whose series is the service’s own scope', () => {
    const { scrape, results } = checkers();
    scrape(
      '# TYPE http_client_request_duration_seconds gauge\n' +
        `http_client_request_duration_seconds{otel_scope_name="${HTTP}"} 1\n` +
        'http_client_request_duration_seconds{otel_scope_name="shop"} 1\n# EOF\n',
    );
    expect(results().deviations).toEqual([
      `undeclared-metric http_client_request_duration_seconds (metrics): type gauge, not in the spec (scopes ${HTTP}, shop) ×1`,
    ]);
  });

  it('reports a family some of whose series name no scope, when OTLP brought none', () => {
    const { scrape, results } = checkers();
    scrape(
      '# TYPE http_client_request_duration_seconds gauge\n' +
        `http_client_request_duration_seconds{otel_scope_name="${HTTP}"} 1\n` +
        'http_client_request_duration_seconds 1\n# EOF\n',
    );
    expect(results().deviations).toEqual([
      `undeclared-metric http_client_request_duration_seconds (metrics): type gauge, not in the spec (scope ${HTTP}, and series of unknown scope) ×1`,
    ]);
  });

  it('takes the scope OTLP brought for a family without otel_scope_name, whichever came first', () => {
    const { otlp, scrape, results } = checkers();
    scrape(EVENTLOOP_FAMILY + OWN_FAMILY + '# EOF\n');
    otlp.checkMetric(otlpMetric('nodejs.eventloop.delay.max', RUNTIME));
    otlp.checkMetric(otlpMetric('shop.refunds', 'shop', { type: 'sum', monotonic: true, unit: '' }));
    scrape(EVENTLOOP_FAMILY + OWN_FAMILY + '# EOF\n');
    expect(results()).toEqual({
      deviations: [
        'undeclared-metric shop_refunds (metrics): type counter, not in the spec (scope shop, as sent over OTLP) ×2',
        'undeclared-metric shop.refunds (otlp-metrics): sum, not in the spec (scope shop) ×1',
      ],
      notSpec: [
        `nodejs_eventloop_delay_max_seconds (metrics): instrumentation scope ${RUNTIME}, as sent over OTLP ×2`,
        `nodejs.eventloop.delay.max (otlp-metrics): instrumentation scope ${RUNTIME} ×1`,
      ],
    });
  });

  it('learns the scope of a 0.0.4 counter family, named with its _total', () => {
    const deviations = new Deviations();
    const notSpec = new NotSpecMetrics(deviations);
    const expected = expectedTelemetry(checkSpec);
    const otlp = new OtlpChecker(checkSpec, expected, deviations, notSpec);
    otlp.checkMetric(otlpMetric('nodejs.eventloop.time', RUNTIME, { type: 'sum', monotonic: true }));
    checkExposition(
      expected,
      parseExposition(
        '# TYPE nodejs_eventloop_time_seconds_total counter\nnodejs_eventloop_time_seconds_total 3\n',
      ),
      false,
      deviations,
      notSpec,
    );
    notSpec.finish();
    expect(deviations.list()).toEqual([]);
    expect(notSpec.list().map((m) => m.name)).toEqual([
      'nodejs_eventloop_time_seconds_total',
      'nodejs.eventloop.time',
    ]);
  });

  it('reports a family no scope names, unless an allowed prefix (either spelling) matches it', () => {
    const bare = checkers();
    bare.scrape(EVENTLOOP_FAMILY + '# EOF\n');
    expect(bare.results().deviations).toEqual([
      'undeclared-metric nodejs_eventloop_delay_max_seconds (metrics): type gauge, not in the spec (scope unknown) ×1',
    ]);
    for (const prefix of ['nodejs.eventloop.', 'nodejs_eventloop_']) {
      const allowed = checkers([prefix]);
      allowed.scrape(EVENTLOOP_FAMILY + OWN_FAMILY + '# EOF\n');
      allowed.otlp.checkMetric(otlpMetric('nodejs.eventloop.delay.min', 'shop'));
      expect(allowed.results()).toEqual({
        deviations: [
          'undeclared-metric shop_refunds (metrics): type counter, not in the spec (scope unknown) ×1',
        ],
        notSpec: [
          `nodejs_eventloop_delay_max_seconds (metrics): allowed prefix ${prefix} ×1`,
          `nodejs.eventloop.delay.min (otlp-metrics): allowed prefix ${prefix} ×1`,
        ],
      });
    }
  });

  it('allows no declared name: an allowed prefix does not excuse a deviation of the spec’s own metric', () => {
    const { scrape, results } = checkers(['shop']);
    scrape('# TYPE shop_orders gauge\nshop_orders 1\n# EOF\n');
    expect(results()).toEqual({
      deviations: ['type-mismatch shop.orders (metrics): exposed as gauge, declared counter ×1'],
      notSpec: [],
    });
  });

  it('refuses an empty prefix, which would allow every metric', () => {
    expect(() => new NotSpecMetrics(new Deviations(), ['v8js_', ' '])).toThrow(/empty prefix/);
  });
});

describe('a real service with instrumentation metrics on its meter provider (/metrics only)', () => {
  it('lists the scoped ones, reports the scope-less ones until allowed, and always the app’s own', async () => {
    const telemetry = createTelemetry(checkSpec, { otlpLogs: false, tailSampling: false });
    // Two scopes share http.client.request.duration: /metrics labels its series with them.
    for (const scope of [HTTP, UNDICI])
      metrics.getMeter(scope).createHistogram('http.client.request.duration', { unit: 's' }).record(0.1);
    // One scope, no label on /metrics, and no OTLP in this check.
    metrics
      .getMeter(RUNTIME)
      .createObservableGauge('v8js.memory.heap.used', { unit: 'By' })
      .addCallback((result) => result.observe(1000));
    // The app's own, under its own meter name.
    metrics.getMeter('shop').createCounter('shop.returns', { unit: '{return}' }).add(1);
    const server = createServer((req, res) => telemetry.metricsHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    try {
      const check = async (allowMetrics?: readonly string[]) => {
        const report = await checkUnderLoad({
          spec: checkSpec,
          metricsUrl,
          ...(allowMetrics === undefined ? {} : { allowMetrics }),
          load: async () => {},
        });
        return {
          deviations: [...new Set(report.deviations.map((d) => `${d.kind} ${d.subject}`))],
          notSpec: report.notSpecMetrics.map((m) => `${m.name}: ${m.reason}`),
        };
      };
      expect(await check()).toEqual({
        deviations: [
          'undeclared-metric shop_returns',
          'undeclared-metric v8js_memory_heap_used_bytes',
          'sli-series-absent latency http.server.request.duration',
        ],
        notSpec: [`http_client_request_duration_seconds: instrumentation scopes ${HTTP}, ${UNDICI}`],
      });
      expect(await check(['v8js.'])).toEqual({
        deviations: [
          'undeclared-metric shop_returns',
          'sli-series-absent latency http.server.request.duration',
        ],
        notSpec: [
          `http_client_request_duration_seconds: instrumentation scopes ${HTTP}, ${UNDICI}`,
          'v8js_memory_heap_used_bytes: allowed prefix v8js.',
        ],
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await telemetry.shutdown();
    }
  });
});

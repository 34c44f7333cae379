// plumbline's instruments through sdk-metrics readers (the MetricProducer), and the OTLP/JSON
// exporter carrying exemplars to a small node:http receiver that decodes what it gets.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, OtlpJsonMetricExporter } from '../../src/metrics/index.js';
import { setupTracing, type Tracing } from './tracing.js';
import { HTTP_SERVER_DURATION_ATTRIBUTES } from '../../src/spec/semconv-http.js';

let tracing: Tracing;
beforeAll(() => {
  tracing = setupTracing();
});
afterAll(() => tracing.close());

const spec = {
  service: { name: 'checkout', version: '2.0.0' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Request duration.',
      unit: 's',
      // The spec check requires the HTTP convention's attributes of this metric name.
      attributes: HTTP_SERVER_DURATION_ATTRIBUTES,
      buckets: { boundaries: [0.1, 0.5, 1] },
    },
  },
  counters: { 'orders.placed': { description: 'Orders.', attributes: ['region'] } },
  gauges: { 'cart.size': { description: 'Cart size.' } },
} as const;

interface Receiver {
  readonly url: string;
  readonly bodies: unknown[];
  readonly server: Server;
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function receiver(
  answer: (attempt: number, request: IncomingMessage, response: ServerResponse) => void,
): Promise<Receiver> {
  const bodies: unknown[] = [];
  let attempt = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      attempt++;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/metrics');
      expect(request.headers['content-type']).toBe('application/json');
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      answer(attempt, request, response);
    });
  }).listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    bodies,
    server,
  };
}

function recordSome(metrics: ReturnType<typeof createMetrics<typeof spec>>) {
  const span = tracing.inSpan((s) => {
    metrics
      .histogram('http.server.request.duration')
      .record(0.7, { 'http.route': '/pay', 'user.tier': 'gold' });
    metrics.counter('orders.placed').add(3, { region: 'eu' });
    return s.spanContext();
  });
  metrics.histogram('http.server.request.duration').record(0.05, { 'http.route': '/pay' });
  metrics.gauge('cart.size').set(4);
  return span;
}

describe('metrics.producer', () => {
  it("lets any sdk-metrics reader see plumbline instruments beside the SDK's own", async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
    recordSome(metrics);
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [metrics.producer],
    });
    const provider = new MeterProvider({ readers: [reader] });
    provider.getMeter('sdk').createCounter('sdk.counter').add(1);
    await reader.forceFlush();
    const scopes = exporter.getMetrics()[0]!.scopeMetrics;
    expect(scopes.map((scope) => scope.scope.name)).toEqual(['sdk', 'plumbline']);
    const plumbline = scopes[1]!.metrics;
    const histogram = plumbline.find((metric) => metric.descriptor.name === 'http.server.request.duration')!;
    expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(histogram.descriptor.unit).toBe('s');
    expect(histogram.dataPoints[0]).toMatchObject({
      attributes: { 'http.route': '/pay' },
      value: { buckets: { boundaries: [0.1, 0.5, 1], counts: [1, 0, 1, 0] }, count: 2, min: 0.05, max: 0.7 },
    });
    const counter = plumbline.find((metric) => metric.descriptor.name === 'orders.placed')!;
    expect(counter).toMatchObject({ dataPointType: DataPointType.SUM, isMonotonic: true });
    expect(counter.dataPoints[0]!.value).toBe(3);
    expect(plumbline.find((metric) => metric.descriptor.name === 'cart.size')!.dataPoints[0]!.value).toBe(4);
    await provider.shutdown();
  });
});

describe('OtlpJsonMetricExporter', () => {
  it('POSTs OTLP/JSON with exemplars (hex trace and span IDs, filtered attributes)', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'trace_based', now: () => 1_700_000_000_123 });
    const span = recordSome(metrics);
    const target = await receiver((_attempt, _request, response) => response.writeHead(200).end('{}'));
    const exporter = new OtlpJsonMetricExporter({ endpoint: `${target.url}/` });
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: 3_600_000,
      metricProducers: [metrics.producer],
    });
    const provider = new MeterProvider({ readers: [reader] });
    await reader.forceFlush();
    await provider.shutdown();

    expect(target.bodies.length).toBeGreaterThanOrEqual(1);
    const body = target.bodies[0] as {
      resourceMetrics: { scopeMetrics: { scope: { name: string }; metrics: Record<string, unknown>[] }[] }[];
    };
    const scope = body.resourceMetrics[0]!.scopeMetrics.find((s) => s.scope.name === 'plumbline')!;
    const histogram = scope.metrics.find((metric) => metric.name === 'http.server.request.duration') as {
      unit: string;
      histogram: { aggregationTemporality: number; dataPoints: Record<string, unknown>[] };
    };
    expect(histogram.unit).toBe('s');
    expect(histogram.histogram.aggregationTemporality).toBe(2);
    const point = histogram.histogram.dataPoints[0]!;
    expect(point).toMatchObject({
      attributes: [{ key: 'http.route', value: { stringValue: '/pay' } }],
      count: '2',
      bucketCounts: ['1', '0', '1', '0'],
      explicitBounds: [0.1, 0.5, 1],
      min: 0.05,
      max: 0.7,
      startTimeUnixNano: '1700000000123000000',
    });
    expect(point.exemplars).toEqual([
      {
        timeUnixNano: '1700000000123000000',
        asDouble: 0.7,
        traceId: span.traceId,
        spanId: span.spanId,
        filteredAttributes: [{ key: 'user.tier', value: { stringValue: 'gold' } }],
      },
    ]);
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    const counter = scope.metrics.find((metric) => metric.name === 'orders.placed') as {
      sum: { isMonotonic: boolean; dataPoints: Record<string, unknown>[] };
    };
    expect(counter.sum.isMonotonic).toBe(true);
    expect(counter.sum.dataPoints[0]).toMatchObject({
      asDouble: 3,
      exemplars: [{ asDouble: 3, traceId: span.traceId }],
    });
    const gauge = scope.metrics.find((metric) => metric.name === 'cart.size') as {
      gauge: { dataPoints: Record<string, unknown>[] };
    };
    expect(gauge.gauge.dataPoints[0]).toMatchObject({ asDouble: 4 });
    expect(exporter.failedExports).toBe(0);
  });

  it('retries retryable statuses, then succeeds', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    recordSome(metrics);
    const target = await receiver((attempt, _request, response) =>
      response.writeHead(attempt < 3 ? 503 : 200).end(),
    );
    const exporter = new OtlpJsonMetricExporter({
      endpoint: target.url,
      retryDelayMillis: 5,
      maxAttempts: 3,
    });
    const { resourceMetrics } = await metrics.producer.collect();
    const result = await new Promise((resolve) => exporter.export(resourceMetrics, resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(target.bodies).toHaveLength(3);
    expect(exporter.failedExports).toBe(0);
  });

  it('gives up after bounded attempts or a non-retryable status, counts the failure, never throws', async () => {
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    const failures = metrics.selfCounter(
      'plumbline_otlp_metric_export_failures_total',
      'Failed OTLP metric exports.',
      ['reason'],
    );
    const { resourceMetrics } = await metrics.producer.collect();

    const unavailable = await receiver((_attempt, _request, response) => response.writeHead(503).end());
    const retrying = new OtlpJsonMetricExporter({
      endpoint: unavailable.url,
      retryDelayMillis: 1,
      maxAttempts: 2,
      failures,
    });
    const first = await new Promise<ExportResult>((resolve) => retrying.export(resourceMetrics, resolve));
    expect(first.code).toBe(ExportResultCode.FAILED);
    expect(first.error?.message).toContain('HTTP 503');
    expect(unavailable.bodies).toHaveLength(2);

    const refusing = await receiver((_attempt, _request, response) => response.writeHead(400).end());
    const once = new OtlpJsonMetricExporter({
      endpoint: refusing.url,
      retryDelayMillis: 1,
      maxAttempts: 5,
      failures,
    });
    expect(
      ((await new Promise((resolve) => once.export(resourceMetrics, resolve))) as { code: number }).code,
    ).toBe(ExportResultCode.FAILED);
    expect(refusing.bodies).toHaveLength(1);

    const silent = await receiver(() => undefined); // never answers
    const timingOut = new OtlpJsonMetricExporter({
      endpoint: silent.url,
      timeoutMillis: 100,
      maxAttempts: 1,
      failures,
    });
    expect(
      ((await new Promise((resolve) => timingOut.export(resourceMetrics, resolve))) as { code: number }).code,
    ).toBe(ExportResultCode.FAILED);
    silent.server.closeAllConnections();

    const nobody = new OtlpJsonMetricExporter({ endpoint: 'http://127.0.0.1:1', maxAttempts: 1, failures });
    expect(() =>
      nobody.export(resourceMetrics, () => {
        throw new Error('a throwing callback stays inside the exporter');
      }),
    ).not.toThrow();
    await nobody.forceFlush();

    await retrying.shutdown();
    const afterShutdown = (await new Promise((resolve) => retrying.export(resourceMetrics, resolve))) as {
      code: number;
    };
    expect(afterShutdown.code).toBe(ExportResultCode.FAILED);

    expect(retrying.failedExports + once.failedExports + timingOut.failedExports + nobody.failedExports).toBe(
      4,
    );
    const text = metrics.serialize().body;
    expect(text).toContain('plumbline_otlp_metric_export_failures_total{reason="error"} 3\n');
    expect(text).toContain('plumbline_otlp_metric_export_failures_total{reason="timeout"} 1\n');
  });
});

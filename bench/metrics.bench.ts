// The histogram hot path and the scrape, against the bare libraries in the same run: same
// buckets, same preallocated attribute sets, all inside one sampled span (so plumbline really
// stores exemplars; the others get the same context).
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import client from 'prom-client';
import { createMetrics } from '../src/metrics/index.js';
import { compare, comparedRow, type BenchRow } from './harness.js';

const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const ROUTES = Array.from({ length: 10 }, (_, i) => `/api/v1/resource-${i}`);
const STATUSES = ['200', '404', '500'];
/** 30 attribute sets, built once: no library pays for building them. */
const OTEL_ATTRIBUTES = ROUTES.flatMap((route) =>
  STATUSES.map((status) => ({ 'http.route': route, 'http.response.status_code': status })),
);
const PROM_LABELS = ROUTES.flatMap((route) => STATUSES.map((status) => ({ route, status })));
const VALUES = Float64Array.from({ length: 4096 }, (_, i) => ((i * 7919) % 4096) / 1024);

export async function run(): Promise<BenchRow[]> {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const span = new BasicTracerProvider().getTracer('bench').startSpan('bench');
  try {
    return await context.with(trace.setSpan(context.active(), span), () => measureAll());
  } finally {
    span.end();
    context.disable();
  }
}

async function measureAll(): Promise<BenchRow[]> {
  const spec = {
    service: { name: 'bench' },
    events: {},
    // Not the semconv name http.server.request.duration: the spec check would require that
    // convention's five attributes, and the rows compare two labels with prom-client's two.
    histograms: {
      'app.request.duration': {
        description: 'Duration of HTTP server requests.',
        unit: 's',
        attributes: ['http.route', 'http.response.status_code'],
        buckets: { boundaries: BOUNDARIES },
      },
    },
  } as const;
  let marked = 0;
  const metrics = createMetrics(spec, { exemplarFilter: 'trace_based', onExemplar: () => void marked++ });
  const plumbline = metrics.histogram('app.request.duration');
  const bound = OTEL_ATTRIBUTES.map((attributes) => plumbline.bind(attributes));
  const plain = createMetrics(spec, { exemplarFilter: 'always_off' }).histogram('app.request.duration');
  // The request's context, as OTel-style instrumentation holds it and passes it to record.
  const requestContext = context.active();

  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ readers: [reader] });
  const sdkHistogram = provider.getMeter('bench').createHistogram('app.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: BOUNDARIES },
  });

  const registry = new client.Registry();
  const promHistogram = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'd',
    labelNames: ['route', 'status'],
    buckets: BOUNDARIES,
    registers: [registry],
  });
  const exemplarRegistry = new client.Registry<typeof client.openMetricsContentType>();
  exemplarRegistry.setContentType(client.openMetricsContentType);
  const promExemplarHistogram = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'd',
    labelNames: ['route', 'status'],
    buckets: BOUNDARIES,
    registers: [exemplarRegistry],
    enableExemplars: true,
  });

  // Interleaved rounds, baselines first: every contender sees the same load from other processes.
  const record = await compare(
    [
      (i) => sdkHistogram.record(VALUES[i & 4095]!, OTEL_ATTRIBUTES[i % 30]),
      (i) => promHistogram.observe(PROM_LABELS[i % 30]!, VALUES[i & 4095]!),
      // What a prom-client user writes to attach the active trace: look it up, build the labels.
      (i) => {
        const spanContext = trace.getSpan(context.active())!.spanContext();
        promExemplarHistogram.observe({
          labels: PROM_LABELS[i % 30]!,
          value: VALUES[i & 4095]!,
          // prom-client types exemplar labels as the metric's own label names; any names work at run time.
          exemplarLabels: { traceId: spanContext.traceId, spanId: spanContext.spanId } as unknown as Record<
            'route' | 'status',
            string
          >,
        });
      },
      (i) => plumbline.record(VALUES[i & 4095]!, OTEL_ATTRIBUTES[i % 30]),
      (i) => bound[i % 30]!.record(VALUES[i & 4095]!),
      (i) => plain.record(VALUES[i & 4095]!, OTEL_ATTRIBUTES[i % 30]),
      (i) => bound[i % 30]!.record(VALUES[i & 4095]!, requestContext),
    ],
    { iterations: 100_000, minTimeMs: 600 },
  );
  const [SDK, PROM, PROM_EXEMPLARS, PLUMBLINE, BOUND, PLAIN, BOUND_CONTEXT] = [0, 1, 2, 3, 4, 5, 6] as const;
  if (marked === 0)
    throw new Error('bench setup: plumbline stored no exemplar, so the exemplar path was not measured');

  // Scrape: 10k series (100 x 100 attribute values), 12 buckets each, already recorded.
  const scrapeSpec = {
    service: { name: 'bench' },
    events: {},
    histograms: {
      'rpc.duration': {
        description: 'RPC duration.',
        unit: 's',
        attributes: ['a', 'b'],
        cardinalityLimit: 20_000,
        buckets: { boundaries: BOUNDARIES },
      },
    },
  } as const;
  const scrapeMetrics = createMetrics(scrapeSpec, { exemplarFilter: 'trace_based' });
  const scrapeHistogram = scrapeMetrics.histogram('rpc.duration');
  const scrapeReader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const scrapeProvider = new MeterProvider({ readers: [scrapeReader] });
  const sdkScrapeHistogram = scrapeProvider
    .getMeter('bench')
    .createHistogram('rpc.duration', { unit: 's', advice: { explicitBucketBoundaries: BOUNDARIES } });
  for (let a = 0; a < 100; a++) {
    for (let b = 0; b < 100; b++) {
      const attributes = { a: `value-${a}`, b: `value-${b}` };
      scrapeHistogram.record(VALUES[(a * 100 + b) & 4095]!, attributes);
      sdkScrapeHistogram.record(VALUES[(a * 100 + b) & 4095]!, attributes);
    }
  }
  const { resourceMetrics } = await scrapeReader.collect();
  const serializer = new PrometheusSerializer();
  let sink = 0;
  // Interleaved rounds: exporter-prometheus's serializer (the baseline), text, OpenMetrics.
  const scrape = await compare(
    [
      () => (sink += serializer.serialize(resourceMetrics).length),
      () => (sink += scrapeMetrics.serialize().body.length),
      () => (sink += scrapeMetrics.serialize('application/openmetrics-text').body.length),
    ],
    { iterations: 2, minTimeMs: 1500 },
  );
  if (sink === 0) throw new Error('bench: empty exposition');

  await provider.shutdown();
  await scrapeProvider.shutdown();

  const sdkName = 'sdk-metrics Histogram.record with attributes';
  const sampled = 'metrics: record, exemplars on, in a sampled span';
  return [
    comparedRow(sampled, record, PLUMBLINE, SDK, sdkName, '<= 0.1'),
    comparedRow(sampled, record, PLUMBLINE, PROM, 'prom-client observe (no exemplars)', '<= 0.3'),
    comparedRow(sampled, record, PLUMBLINE, PROM_EXEMPLARS, 'prom-client observe with exemplars', 'report'),
    comparedRow(
      'metrics: bound record, exemplars on, in a sampled span',
      record,
      BOUND,
      SDK,
      sdkName,
      '<= 0.04',
    ),
    comparedRow(
      'metrics: bound record given the request context, exemplars on, in a sampled span',
      record,
      BOUND_CONTEXT,
      SDK,
      sdkName,
      '<= 0.04',
    ),
    comparedRow('metrics: record, exemplars off', record, PLAIN, SDK, sdkName, '<= 0.2'),
    comparedRow(
      'metrics: serialize 10k series (text 0.0.4)',
      scrape,
      1,
      0,
      'exporter-prometheus PrometheusSerializer.serialize (collected beforehand)',
      '<= 0.5',
    ),
    comparedRow(
      'metrics: serialize 10k series (OpenMetrics, exemplars)',
      scrape,
      2,
      0,
      'exporter-prometheus PrometheusSerializer.serialize (collected beforehand)',
      '<= 0.5',
    ),
  ];
}

// Regression: over OTLP, plumbline's overflow series carried otel.metric.overflow as the string
// "true" (stringValue), where sdk-metrics (DeltaMetricProcessor) and the OTel metrics SDK spec's
// cardinality limits write the boolean true (boolValue): a query or a collector processor keyed
// on the boolean missed our overflow points, and one instrument's overflow read two ways beside
// an app's sdk-metrics instruments. The Prometheus label stays otel_metric_overflow="true".
// Real parts: an sdk-metrics MeterProvider overflowing beside ours, both exported through
// OtlpJsonMetricExporter over real HTTP.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { startDecodingReceiver } from '../support/decoding-receiver.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const spec = defineTelemetry({
  service: { name: 'jobs' },
  events: {},
  histograms: {
    'jobs.duration': {
      description: 'Job time.',
      unit: 's',
      attributes: ['queue'],
      cardinalityLimit: 1,
      buckets: { boundaries: [1] },
    },
  },
  counters: { 'jobs.done': { description: 'Jobs done.', attributes: ['queue'], cardinalityLimit: 1 } },
  gauges: { 'jobs.waiting': { description: 'Jobs waiting.', attributes: ['queue'], cardinalityLimit: 1 } },
});

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpPoint {
  attributes: OtlpAttribute[];
}

/** Every data point's attributes in an OTLP/JSON body, by metric name. */
function pointsByMetric(body: unknown): Map<string, OtlpPoint[]> {
  const out = new Map<string, OtlpPoint[]>();
  const resourceMetrics = (
    body as { resourceMetrics: { scopeMetrics: { metrics: Record<string, unknown>[] }[] }[] }
  ).resourceMetrics;
  for (const resource of resourceMetrics)
    for (const scope of resource.scopeMetrics)
      for (const metric of scope.metrics) {
        const data = (metric.histogram ?? metric.sum ?? metric.gauge) as
          { dataPoints: OtlpPoint[] } | undefined;
        out.set(metric.name as string, data?.dataPoints ?? []);
      }
  return out;
}

const overflowValue = (point: OtlpPoint | undefined) =>
  point?.attributes.find((attribute) => attribute.key === 'otel.metric.overflow')?.value;

async function exportTo(
  url: string,
  collect: () => Promise<{ resourceMetrics: Parameters<OtlpJsonMetricExporter['export']>[0] }>,
) {
  const { resourceMetrics } = await collect();
  const exporter = new OtlpJsonMetricExporter({ endpoint: url, maxAttempts: 1 });
  const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
  expect(result.code).toBe(ExportResultCode.SUCCESS);
}

describe('regression: the overflow attribute was the string "true" over OTLP', () => {
  it('is the boolean sdk-metrics writes, on histograms, counters, gauges and self metrics', async () => {
    const receiver = await startDecodingReceiver(() => [], cleanups);

    // sdk-metrics' own overflow point, as the reference.
    class PullReader extends MetricReader {
      protected override async onShutdown(): Promise<void> {}
      protected override async onForceFlush(): Promise<void> {}
    }
    const reader = new PullReader({ cardinalitySelector: () => 1 });
    const provider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => provider.shutdown());
    const appCounter = provider.getMeter('app').createCounter('app.done');
    for (const queue of ['a', 'b', 'c']) appCounter.add(1, { queue });
    await exportTo(receiver.url, () => reader.collect());

    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    for (const queue of ['a', 'b', 'c']) {
      metrics.histogram('jobs.duration').record(0.5, { queue });
      metrics.counter('jobs.done').add(1, { queue });
      metrics.gauge('jobs.waiting').set(3, { queue });
    }
    // A self metric past its own series limit (1000) overflows too.
    const self = metrics.selfCounter('jobs_self_total', 'Self.', ['key']);
    for (let i = 0; i < 1001; i++) self.add(1, { key: String(i) });
    await exportTo(receiver.url, () => metrics.producer.collect());

    const reference = pointsByMetric(receiver.bodies[0]).get('app.done')!;
    const sdkOverflow = reference.map(overflowValue).find((value) => value !== undefined);
    expect(sdkOverflow, 'sdk-metrics writes a boolean').toEqual({ boolValue: true });

    const ours = pointsByMetric(receiver.bodies[1]);
    for (const name of ['jobs.duration', 'jobs.done', 'jobs.waiting', 'jobs_self_total']) {
      const values = ours
        .get(name)!
        .map(overflowValue)
        .filter((value) => value !== undefined);
      expect(values, name).toEqual([sdkOverflow]);
    }
    // Prometheus text keeps the label value "true".
    const text = metrics.serialize().body;
    expect(text).toContain('jobs_done_total{otel_metric_overflow="true"} 2\n');
    expect(text).toContain('jobs_self_total{otel_metric_overflow="true"} 1\n');
    // The snapshot API keeps the identity's attributes as they were.
    expect(metrics.histogramSnapshot('jobs.duration').at(-1)!.attributes).toEqual({
      'otel.metric.overflow': 'true',
    });
  });
});

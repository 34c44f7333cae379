// Regression: Prometheus's rate() and increase() start at a series' first sample, and the pipeline
// counters (plumbline_telemetry_exported_total, plumbline_telemetry_dropped_total) made a series
// only at its first export or drop. A series first scraped at 3 lost those 3, so right after start
// the pipeline SLO's rules counted fewer events than the in-process engine. Now each part of the
// pipeline writes its series at 0 when it is built. Here a real Prometheus scrapes a /metrics that
// has exported and dropped nothing yet, then the exporter drops batches between two scrapes, and
// increase() over the window must see every one of them.
import { createServer, type Server } from 'node:http';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { BoundedMetricExporter } from '../../src/telemetry/bounded-metric-exporter.js';
import { PipelineMetrics } from '../../src/telemetry/pipeline-metrics.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { waitFor } from '../support/process.js';
import { sampleValues, startPrometheus, type PrometheusServer } from '../support/prometheus.js';

let server: Server | undefined;
let prometheus: PrometheusServer | undefined;
afterAll(async () => {
  await prometheus?.stop();
  await new Promise((done) => (server === undefined ? done(undefined) : server.close(done)));
});

const BUSY = 'plumbline_telemetry_dropped_total{signal="metric_batch",reason="busy"}';

describe('pipeline series before the first export or drop', () => {
  it('are on /metrics at 0, so Prometheus counts the first drops', async () => {
    const metrics = createMetrics(ordersSpec);
    const pipeline = new PipelineMetrics(metrics);
    const hanging: PushMetricExporter = {
      export: () => {},
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new BoundedMetricExporter(hanging, 1, pipeline);
    server = createServer((_req, res) => {
      const { contentType, body } = metrics.serialize();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const address = server.address() as { port: number };
    const body = metrics.serialize().body;
    for (const series of [
      'plumbline_telemetry_exported_total{signal="metric_batch"} 0',
      `${BUSY} 0`,
      'plumbline_telemetry_dropped_total{signal="metric_batch",reason="timeout"} 0',
      'plumbline_telemetry_dropped_total{signal="metric_batch",reason="export_failed"} 0',
    ])
      expect(body).toContain(series);

    prometheus = await startPrometheus({
      jobs: [{ job: 'pipeline', targets: [`127.0.0.1:${address.port}`] }],
      interval: '1s',
    });
    // Two scrapes at 0, then 5 batches dropped (the first export hangs, the next 5 find it busy).
    const samples = async (expr: string) => sampleValues(await prometheus!.query(expr))[0];
    await waitFor('two scrapes before any drop', async () =>
      ((await samples('count_over_time(up{job="pipeline"}[1m])')) ?? 0) >= 2 ? true : undefined,
    );
    const batch = {} as ResourceMetrics;
    for (let i = 0; i < 6; i++) exporter.export(batch, () => {});
    expect(body).not.toBe(metrics.serialize().body);
    await waitFor('a scrape of the 5 drops', async () => ((await samples(BUSY)) === 5 ? true : undefined));
    // Without the series at 0, the first sample would be 5 and increase() would read 0.
    const increase = (await samples(`increase(${BUSY}[1m])`))!;
    expect(increase).toBeGreaterThanOrEqual(5);
  });
});

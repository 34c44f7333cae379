// The SDK when its own pipeline fails: the OTel batch processors' drops land on
// plumbline_telemetry_dropped_total, metric exports and /metrics responses are bounded and
// their refusals counted, and shutdown returns within its bound against a black-holed endpoint.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, BasicTracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { createTelemetry } from '../../src/telemetry/create-telemetry.js';
import { BoundedMetricExporter } from '../../src/telemetry/bounded-metric-exporter.js';
import { boundedScrapeHandler } from '../../src/telemetry/bounded-scrape-handler.js';
import { PipelineMetrics } from '../../src/telemetry/pipeline-metrics.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';
import { startBlackHole } from '../support/black-hole.js';
import { waitFor } from '../support/process.js';
import { serveOnFreePort, startStalledScrape } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup() {
  const metrics = createMetrics(ordersSpec);
  const pipeline = new PipelineMetrics(metrics);
  const read = (name: string) => {
    const out: Record<string, number> = {};
    for (const line of metrics.serialize().body.split('\n')) {
      const match = new RegExp(`^${name}(?:\\{(.*)\\})? (\\S+)$`).exec(line);
      if (match) out[match[1] ?? ''] = Number(match[2]);
    }
    return out;
  };
  return { metrics, pipeline, read };
}

describe('OTel batch span processor drops as plumbline self-metrics', () => {
  it('counts spans over the queue bound and spans of failed exports, and exposes the queue', async () => {
    const { pipeline, read } = setup();
    const exported: ExportResult[] = [];
    const failing: SpanExporter = {
      export: (_spans, done) => {
        const result = { code: ExportResultCode.FAILED, error: new Error('refused') };
        exported.push(result);
        done(result);
      },
      shutdown: async () => {},
    };
    const config = {
      maxQueueSize: 4,
      scheduledDelayMillis: 60_000,
      selfObsMeterProvider: pipeline.meterProvider('span'),
    };
    const processor = new BatchSpanProcessor(failing, config);
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    // Batch size is capped at the queue bound (4): spans 1-4 go to a failed export at once, 5-7 wait.
    for (let i = 0; i < 7; i++) tracer.startSpan(`s${i}`).end();
    expect(read('plumbline_telemetry_queue_capacity')).toEqual({ 'signal="span"': 4 });
    expect(read('plumbline_telemetry_queue_size')).toEqual({ 'signal="span"': 3 });
    await processor.forceFlush().catch(() => {});
    expect(exported.length).toBeGreaterThan(0);
    // Both span series were written at 0 when the processor was built (so Prometheus sees their first increment).
    expect(read('plumbline_telemetry_dropped_total')).toEqual({
      'signal="span",reason="export_failed"': 7,
      'signal="span",reason="queue_full"': 0,
    });
    // Now fill the queue while nothing exports: the overflow is counted as queue_full.
    const stuck: SpanExporter = { export: () => {}, shutdown: async () => {} };
    const blocked = new BatchSpanProcessor(stuck, {
      maxQueueSize: 4,
      maxExportBatchSize: 4,
      scheduledDelayMillis: 60_000,
      selfObsMeterProvider: pipeline.meterProvider('span'),
    } as ConstructorParameters<typeof BatchSpanProcessor>[1]);
    const second = new BasicTracerProvider({ spanProcessors: [blocked] }).getTracer('t');
    for (let i = 0; i < 20; i++) second.startSpan(`b${i}`).end();
    const dropped = read('plumbline_telemetry_dropped_total');
    // 4 went to the stuck export, 4 wait in the queue, 12 found it full.
    expect(dropped['signal="span",reason="queue_full"']).toBe(12);
  });
});

describe('bounded metric exports', () => {
  it('drops and counts a batch while the previous export is still in flight', async () => {
    const { pipeline, read } = setup();
    let release: ((result: ExportResult) => void) | undefined;
    const hanging: PushMetricExporter = {
      export: (_metrics, done) => (release = done),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const bounded = new BoundedMetricExporter(hanging, 1, pipeline);
    const results: ExportResult[] = [];
    const batch = {} as ResourceMetrics;
    bounded.export(batch, (r) => results.push(r));
    bounded.export(batch, (r) => results.push(r));
    expect(results.map((r) => r.code)).toEqual([ExportResultCode.FAILED]);
    expect(read('plumbline_telemetry_dropped_total')).toEqual({
      'signal="metric_batch",reason="busy"': 1,
      'signal="metric_batch",reason="timeout"': 0,
      'signal="metric_batch",reason="export_failed"': 0,
    });
    release!({ code: ExportResultCode.SUCCESS });
    bounded.export(batch, (r) => results.push(r));
    release!({
      code: ExportResultCode.FAILED,
      error: Object.assign(new Error('t'), { name: 'TimeoutError' }),
    });
    expect(read('plumbline_telemetry_exported_total')).toEqual({ 'signal="metric_batch"': 1 });
    expect(read('plumbline_telemetry_dropped_total')).toEqual({
      'signal="metric_batch",reason="busy"': 1,
      'signal="metric_batch",reason="timeout"': 1,
      'signal="metric_batch",reason="export_failed"': 0,
    });
  });
});

describe('bounded /metrics responses', () => {
  it('answers 503 beyond the concurrent bound and cuts off a client that reads too slowly', async () => {
    const { pipeline, read } = setup();
    // 32 MiB: more than loopback socket buffers hold (a few MiB each way), so a client that does not
    // read holds the response.
    const big = Buffer.alloc(32 << 20, 0x61);
    const handler = boundedScrapeHandler(
      (_req, res) => {
        res.writeHead(200, { 'content-length': big.length });
        res.end(big);
      },
      // Long enough for a reading client to take the whole body on a loaded CI machine: with 300 ms
      // and 64 MiB, the last scrape below was cut off after 12.6 MB in a clean-clone run.
      { maxConcurrent: 1, timeoutMs: 2_000 },
      pipeline,
    );
    const port = await serveOnFreePort(handler, cleanups);
    await startStalledScrape(port, cleanups); // never reads
    const busy = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(busy.status).toBe(503);
    await busy.text();
    await waitFor(
      'the slow scrape to be cut off',
      () =>
        read('plumbline_telemetry_dropped_total')['signal="scrape",reason="timeout"'] === 1
          ? true
          : undefined,
      5_000,
      50,
    );
    expect(read('plumbline_telemetry_dropped_total')).toEqual({
      'signal="scrape",reason="busy"': 1,
      'signal="scrape",reason="timeout"': 1,
    });
    // The slot is free again.
    const again = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(again.status).toBe(200);
    expect((await again.arrayBuffer()).byteLength).toBe(big.length);
  });
});

describe('createTelemetry against a black-holed OTLP endpoint', () => {
  it('still returns from shutdown within its bound, with what it lost counted', async () => {
    const blackHole = await startBlackHole(cleanups);
    const telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      otlpEndpoint: blackHole.url,
      otlpLogs: false,
      tailSampling: false,
      exportTimeoutMs: 200,
      maxQueuedSpans: 8,
      registerGlobal: false,
    });
    for (let i = 0; i < 40; i++) telemetry.tracer.startSpan(`s${i}`).end();
    // Returns although nothing ever answers: each shutdown step is bounded by exportTimeoutMs.
    await telemetry.shutdown();
    const lost = () => {
      const text = telemetry.metrics.serialize().body;
      const found = text.matchAll(
        /^plumbline_telemetry_dropped_total\{signal="span",reason="(\w+)"\} (\S+)$/gm,
      );
      return Object.fromEntries([...found].map((m) => [m[1]!, Number(m[2])]));
    };
    // 8 spans went to an export at once (batch size = queue bound), 8 waited for the shutdown's
    // flush, 24 found the queue full; the two exports time out into export_failed.
    expect(lost().queue_full).toBe(24);
    await waitFor(
      'both exports to time out',
      () => (lost().export_failed === 16 ? true : undefined),
      5_000,
      50,
    );
    // after_shutdown: written at 0 with the span export; no span ended after the shutdown.
    expect(lost()).toEqual({ queue_full: 24, export_failed: 16, after_shutdown: 0 });
    expect(blackHole.connections()).toBeGreaterThan(0);
  });
});

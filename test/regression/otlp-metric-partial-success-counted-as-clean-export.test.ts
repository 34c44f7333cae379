// Regression (review): a collector's 200 with a partialSuccess body
// ({"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"..."}}) was counted as a clean
// export and nothing said that 3 data points were lost. Now, as OTel JS's exporters do, the
// partial success is a diag warning, and the rejected points are counted: in the exporter's
// `rejectedDataPoints` and on /metrics as plumbline_otlp_metric_rejected_data_points_total.
// The export itself still succeeds (OTLP: a partial success is not retried). Real HTTP.
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, createTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { captureLines } from '../support/capture.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  diag.disable();
});

/** A collector answering every POST 200 with `answer` as its JSON body; counts the POSTs. */
async function collector(answer: string) {
  let posts = 0;
  const port = await serveOnFreePort((request, response) => {
    request.resume();
    request.on('end', () => {
      posts++;
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  }, cleanups);
  return { url: `http://127.0.0.1:${port}`, posts: () => posts };
}

function captureWarnings(): string[] {
  const warnings: string[] = [];
  const ignore = () => {};
  diag.setLogger(
    {
      error: ignore,
      warn: (message) => warnings.push(message),
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    DiagLogLevel.WARN,
  );
  return warnings;
}

const partial = JSON.stringify({
  partialSuccess: { rejectedDataPoints: '3', errorMessage: 'data point has a NaN timestamp' },
});

describe('a partial success from the OTLP collector', () => {
  it('is warned about and its rejected data points counted', async () => {
    const warnings = captureWarnings();
    const target = await collector(partial);
    const metrics = createMetrics(ordersSpec);
    const rejectedDataPoints = metrics.selfCounter(
      'plumbline_otlp_metric_rejected_data_points_total',
      'Rejected.',
      [],
    );
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, rejectedDataPoints });
    const { resourceMetrics } = await metrics.producer.collect();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(target.posts()).toBe(1);
    expect(exporter.rejectedDataPoints, 'rejected data points counted by the exporter').toBe(3);
    expect(metrics.serialize().body).toContain('plumbline_otlp_metric_rejected_data_points_total 3\n');
    expect(warnings.join('\n')).toMatch(/rejected 3 data point\(s\).*data point has a NaN timestamp/);
  });

  it('is nothing to report when empty, as the collector answers a full success', async () => {
    const warnings = captureWarnings();
    const target = await collector('{"partialSuccess":{}}');
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url });
    const { resourceMetrics } = await createMetrics(ordersSpec).producer.collect();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(exporter.rejectedDataPoints).toBe(0);
    expect(warnings).toEqual([]);
  });

  it("reaches createTelemetry's /metrics", async () => {
    captureWarnings();
    const target = await collector(partial);
    const telemetry = createTelemetry(ordersSpec, {
      logDestination: captureLines().destination,
      otlpEndpoint: target.url,
      otlpLogs: false,
      tailSampling: false,
      registerGlobal: false,
      metricExportIntervalMs: 3_600_000,
    });
    cleanups.push(() => telemetry.shutdown());
    await telemetry.forceFlush();
    expect(target.posts()).toBeGreaterThanOrEqual(1);
    expect(telemetry.metrics.serialize().body).toContain(
      `plumbline_otlp_metric_rejected_data_points_total ${3 * target.posts()}\n`,
    );
  });
});

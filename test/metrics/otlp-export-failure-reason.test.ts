// The reason an OTLP metric export failure is counted under (plumbline_otlp_metric_export_failures_total):
// `error` when the collector refused (a retryable status on every attempt, whatever its body
// does), `timeout` when the deadline cut an attempt short. Real HTTP on loopback.
import type { ServerResponse } from 'node:http';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, OtlpJsonMetricExporter } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { startBlackHole } from '../support/black-hole.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Exports once; the result and the reasons the exporter counted its failure under. */
async function exportOnce(endpoint: string, timeoutMillis: number) {
  const reasons: string[] = [];
  const exporter = new OtlpJsonMetricExporter({
    endpoint,
    timeoutMillis,
    maxAttempts: 3,
    retryDelayMillis: 5,
    failures: { add: (_value, labels) => reasons.push(labels.reason ?? '') },
  });
  const { resourceMetrics } = await createMetrics(ordersSpec).producer.collect();
  const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
  return { result, reasons };
}

describe('the reason of a failed OTLP metric export', () => {
  for (const [body, answer] of [
    ['a body that never ends', (response: ServerResponse) => response.writeHead(503).write('{"code":14,')],
    ['an empty body', (response: ServerResponse) => response.writeHead(503).end()],
  ] as const) {
    it(`is error for a 503 on every attempt with ${body}`, async () => {
      let posts = 0;
      const port = await serveOnFreePort((request, response) => {
        request.resume();
        request.on('end', () => {
          posts++;
          answer(response);
        });
      }, cleanups);
      const { result, reasons } = await exportOnce(`http://127.0.0.1:${port}`, 5_000);
      expect(result.code).toBe(ExportResultCode.FAILED);
      // Every attempt made: the refusal's body was not waited for.
      expect(posts).toBe(3);
      expect(reasons).toEqual(['error']);
    });
  }

  it('is timeout when the deadline cuts an attempt short (a collector that never answers)', async () => {
    const collector = await startBlackHole(cleanups);
    const { result, reasons } = await exportOnce(collector.url, 500);
    expect(result.error?.name).toBe('TimeoutError');
    expect(reasons).toEqual(['timeout']);
  });
});

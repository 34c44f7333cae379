// Regression (review): OtlpJsonMetricExporter retried 429/503 on its own fixed backoff and
// ignored Retry-After. With Retry-After: 30 and a 5 s deadline it POSTed 3 times in 556 ms; with
// Retry-After: 1 and a collector ready after 1 s it failed after 3 POSTs in 565 ms. The OTLP/HTTP
// spec says to honour Retry-After (seconds or an HTTP-date) on a retryable status; like OTel JS's
// retrying transport, a wait past the export's deadline ends the export instead. Real HTTP.
import type { ServerResponse } from 'node:http';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, OtlpJsonMetricExporter } from '../../src/index.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A collector answering the n-th POST (from 1) with `answer`; keeps when each POST came. */
async function collector(answer: (n: number, response: ServerResponse) => void) {
  const times: number[] = [];
  const port = await serveOnFreePort((request, response) => {
    request.resume();
    request.on('end', () => {
      times.push(Date.now());
      answer(times.length, response);
    });
  }, cleanups);
  return { url: `http://127.0.0.1:${port}`, times };
}

async function exportOnce(exporter: OtlpJsonMetricExporter): Promise<ExportResult> {
  const { resourceMetrics } = await createMetrics(ordersSpec).producer.collect();
  return new Promise((resolve) => exporter.export(resourceMetrics, resolve));
}

const exporterFor = (url: string) =>
  new OtlpJsonMetricExporter({ endpoint: url, timeoutMillis: 5_000, maxAttempts: 3, retryDelayMillis: 5 });

describe('the OTLP metric exporter honours Retry-After', () => {
  it('does not retry when Retry-After (seconds) is past the deadline', async () => {
    const target = await collector((_n, response) => response.writeHead(429, { 'retry-after': '30' }).end());
    const started = Date.now();
    const result = await exportOnce(exporterFor(target.url));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('HTTP 429');
    expect(target.times.length, 'POSTs').toBe(1);
    // It gives up at once rather than sleeping into the deadline (generous bound).
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('does not retry when Retry-After (an HTTP-date) is past the deadline', async () => {
    const target = await collector((_n, response) =>
      response.writeHead(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() }).end(),
    );
    const result = await exportOnce(exporterFor(target.url));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(target.times.length, 'POSTs').toBe(1);
  });

  it('waits the Retry-After it was given, and succeeds on the retry', async () => {
    // Unavailable for 1 s from the first POST, and says so.
    const target = await collector((_n, response) =>
      Date.now() - target.times[0]! < 950
        ? response.writeHead(503, { 'retry-after': '1' }).end()
        : response.writeHead(200).end('{}'),
    );
    const exporter = exporterFor(target.url);
    const result = await exportOnce(exporter);
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(target.times.length, 'POSTs').toBe(2);
    expect(target.times[1]! - target.times[0]!, 'ms between the POSTs').toBeGreaterThanOrEqual(900);
    expect(exporter.failedExports).toBe(0);
  });

  it('keeps its own backoff on a retryable status without Retry-After', async () => {
    const target = await collector((n, response) => response.writeHead(n < 3 ? 502 : 200).end());
    const result = await exportOnce(exporterFor(target.url));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(target.times.length, 'POSTs').toBe(3);
  });
});

// Regression (review): OtlpJsonMetricExporter read the collector's answer with
// `await response.arrayBuffer()`, with no bound: a 200 with a 256 MiB body raised arrayBuffers by
// 268 MiB and counted success, and a refusal whose body never ended held the export, retries
// included, until its deadline. Now at most 4 MiB of an accepted export's answer is read (OTel
// JS's MAX_RESPONSE_BODY_SIZE) and the rest cancelled (the export still succeeds: the collector
// took the data), and a refusal's body is dropped unread. Real HTTP on loopback.
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

/** A collector answering every POST with `answer`; counts the POSTs. */
async function collector(answer: (response: ServerResponse) => void) {
  let posts = 0;
  const port = await serveOnFreePort((request, response) => {
    request.resume();
    request.on('end', () => {
      posts++;
      answer(response);
    });
  }, cleanups);
  return { url: `http://127.0.0.1:${port}`, posts: () => posts };
}

async function exportOnce(exporter: OtlpJsonMetricExporter): Promise<ExportResult> {
  const { resourceMetrics } = await createMetrics(ordersSpec).producer.collect();
  return new Promise((resolve) => exporter.export(resourceMetrics, resolve));
}

describe('the OTLP metric exporter reads a bounded part of the answer', () => {
  it('stops reading a 64 MiB answer to an accepted export after 4 MiB, and counts it exported', async () => {
    const total = 64 << 20;
    const chunk = Buffer.alloc(64 << 10, 0x20);
    let written = 0;
    const target = await collector((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      // Writes as fast as the exporter reads, until it stops reading or all of it is out.
      const pump = () => {
        while (written < total && !response.destroyed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        if (written >= total) response.end();
      };
      response.on('close', () => response.removeAllListeners('drain'));
      pump();
    });
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, timeoutMillis: 10_000 });
    const result = await exportOnce(exporter);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(target.posts()).toBe(1);
    // 4 MiB read, plus what loopback socket buffers hold (a few MiB): far from all 64.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(written, `${written} of ${total} bytes of the answer went out`).toBeLessThan(24 << 20);
    expect(exporter.failedExports).toBe(0);
  });

  it('answers a 503 whose body never ends by retrying, not by waiting for the body', async () => {
    const target = await collector((response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.write('{"code":14,'); // and never more
    });
    const exporter = new OtlpJsonMetricExporter({
      endpoint: target.url,
      timeoutMillis: 5_000,
      maxAttempts: 3,
      retryDelayMillis: 5,
    });
    const result = await exportOnce(exporter);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toContain('HTTP 503');
    expect(target.posts(), 'POSTs within the 5 s deadline').toBe(3);
  });

  it("ends an accepted export whose answer never ends by the export's deadline", async () => {
    const target = await collector((response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"partialSuccess":'); // and never more
    });
    const exporter = new OtlpJsonMetricExporter({ endpoint: target.url, timeoutMillis: 500 });
    const started = Date.now();
    const result = await exportOnce(exporter);
    // The collector took the data (200): success, though the answer could not be read.
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(target.posts()).toBe(1);
    expect(Date.now() - started, 'ms to the result; the deadline is 500').toBeLessThan(5_000);
  });
});

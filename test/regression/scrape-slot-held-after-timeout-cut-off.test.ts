// Regression: a /metrics response cut off by the scrape timeout kept its concurrency slot until the
// socket's 'close' came, some event-loop turns later (longer on a loaded machine). A scraper that
// retried at once was answered 503 although nothing was in flight any more; CI saw it as a flaky
// "expected 503 to be 200" in pipeline-failure.test.ts. The slot is now freed when the timer cuts
// the response off.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import { boundedScrapeHandler } from '../../src/telemetry/bounded-scrape-handler.js';
import { PipelineMetrics } from '../../src/telemetry/pipeline-metrics.js';
import { ordersSpec } from '../fixtures/orders-spec.js';
import { serveOnFreePort, startStalledScrape } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('answers a scrape that arrives as the previous one is cut off with 200, not 503', async () => {
  const pipeline = new PipelineMetrics(createMetrics(ordersSpec));
  // More than loopback socket buffers hold, so a client that does not read holds the response.
  const big = Buffer.alloc(32 << 20, 0x61);
  const bounded = boundedScrapeHandler(
    (_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
    },
    { maxConcurrent: 1, timeoutMs: 300 },
    pipeline,
  );
  // The second scrape is held at the server until the moment the first is counted as cut off,
  // then handed to the bounded handler in that same turn.
  let held: [IncomingMessage, ServerResponse] | undefined;
  let cutOff: () => void = () => {};
  const cutOffSeen = new Promise<void>((resolve) => (cutOff = resolve));
  const drop = pipeline.drop.bind(pipeline);
  pipeline.drop = (signal, reason) => {
    drop(signal, reason);
    if (reason !== 'timeout' || !held) return;
    bounded(...held);
    cutOff();
  };
  let requests = 0;
  const port = await serveOnFreePort((req, res) => {
    if (++requests === 2) held = [req, res];
    else bounded(req, res);
  }, cleanups);
  await startStalledScrape(port, cleanups);
  const retry = fetch(`http://127.0.0.1:${port}/metrics`);
  await cutOffSeen;
  const answer = await retry;
  expect(answer.status).toBe(200);
  expect((await answer.arrayBuffer()).byteLength).toBe(big.length);
});

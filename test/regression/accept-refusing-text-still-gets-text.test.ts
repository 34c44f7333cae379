// Regression (metrics review): the format was picked from the highest quality of any range that
// matched it, so `*/*` overrode a client's explicit `text/plain;q=0` and the client got the text
// format it had refused; a quoted `version="1.0.0"` (RFC 9110 allows quoted parameter values) was
// not recognised as an OpenMetrics version either. Each format now takes the quality of the most
// specific range that matches it. Real HTTP: the /metrics handler answers the Accept header.
import { afterEach, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { metricsRequestHandler } from '../../src/metrics/request-handler.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('answers OpenMetrics to a client that refuses text/plain, and reads a quoted version', async () => {
  const metrics = createMetrics(
    defineTelemetry({
      service: { name: 'shop' },
      events: {},
      counters: { 'orders.placed': { description: 'Orders.' } },
    }),
  );
  const port = await serveOnFreePort(metricsRequestHandler(metrics), cleanups);
  const contentType = async (accept: string) =>
    (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept } })).headers.get('content-type');
  expect(await contentType('text/plain;q=0, application/openmetrics-text;q=0.5, */*')).toMatch(
    /^application\/openmetrics-text/,
  );
  expect(await contentType('text/plain;q=0, */*;q=0.2')).toMatch(/^application\/openmetrics-text/);
  expect(await contentType('application/openmetrics-text; version="1.0.0"')).toMatch(
    /^application\/openmetrics-text/,
  );
  // Unchanged: Prometheus' own header, plain text, and */* alone (the text format at a tie).
  expect(
    await contentType(
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    ),
  ).toMatch(/^application\/openmetrics-text/);
  expect(await contentType('*/*')).toMatch(/^text\/plain/);
  expect(await contentType('text/plain')).toMatch(/^text\/plain/);
  expect(await contentType('application/openmetrics-text;q=0, */*')).toMatch(/^text\/plain/);
});

// Regression: a counter's spec may turn exemplars off (`exemplars: { enabled: false }`), but
// `check live` only held histograms to it: a build that still put an exemplar on the counter's
// `_total` line, or on its OTLP points, was no deviation, where a histogram with the same setting
// was `exemplars-unexpected`. Counters are held to it now, on /metrics and over OTLP alike.
// Real parts: a build of the service made from a spec with exemplars on, createTelemetry serving
// /metrics over node:http on 127.0.0.1 and exporting OTLP/HTTP metrics to the check's listener,
// the measurements taken inside a sampled span.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';

const histogram = {
  description: 'Checkout duration.',
  unit: 's',
  buckets: { boundaries: [0.1, 1] },
} as const;

/** The spec checked: no exemplars on either instrument. */
const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.orders': { description: 'Orders placed.', exemplars: { enabled: false } } },
  histograms: { 'shop.checkout.duration': { ...histogram, exemplars: { enabled: false } } },
});
/** The spec the running build was made from: exemplars on (the default). */
const drifted = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  counters: { 'shop.orders': { description: 'Orders placed.' } },
  histograms: { 'shop.checkout.duration': histogram },
});

let telemetry: Telemetry<typeof drifted> | undefined;
const server: Server = createServer((req, res) => {
  if (req.url === '/metrics' && telemetry !== undefined) return telemetry.metricsHandler(req, res);
  res.writeHead(404).end();
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it('exemplars on a counter whose spec turns them off are exemplars-unexpected, as on a histogram', async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const check = await startLiveCheck({
    spec,
    metricsUrl,
    otlpListen: '127.0.0.1:0',
    scrapeIntervalMs: 60_000,
  });
  telemetry = createTelemetry(drifted, { otlpEndpoint: check.otlpEndpoint!, tailSampling: false });
  telemetry.tracer.startActiveSpan('POST /checkout', (span) => {
    telemetry!.metrics.counter('shop.orders').add(1);
    telemetry!.metrics.histogram('shop.checkout.duration').record(0.5);
    span.end();
  });
  const body = telemetry.metrics.serialize('application/openmetrics-text').body;
  expect(body).toMatch(/^shop_orders_total 1 # \{trace_id="[0-9a-f]{32}",span_id="[0-9a-f]{16}"\} 1/m);
  await check.scrape();
  await telemetry.shutdown(); // the last OTLP metric export
  const report = await check.finish();

  expect(report.observed.metricPoints).toBeGreaterThan(0);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source})`)).toEqual([
    'exemplars-unexpected shop.checkout.duration (metrics)',
    'exemplars-unexpected shop.checkout.duration (otlp-metrics)',
    'exemplars-unexpected shop.orders (metrics)',
    'exemplars-unexpected shop.orders (otlp-metrics)',
  ]);
});

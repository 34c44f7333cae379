// Regression: an availability SLI whose `bad` selects on `error.type` (`{ 'error.type': ['500',
// 'timeout'] }`) made `check live` report `sli-series-absent … no series carries the "bad" label
// error_type` on a healthy service: OpenTelemetry sets error.type on failed requests only (the
// dashboards treat it as a failure-only attribute), so without a failure during the watch no
// series carries it. Only `*` patterns were exempt. A failure-only attribute is now not required
// to be present; a `bad` label that any event may carry still is. Real parts: createTelemetry
// serving /metrics over node:http on 127.0.0.1, scraped by the check.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import {
  createTelemetry,
  defineTelemetry,
  HTTP_SERVER_DURATION_BUCKETS,
  type Telemetry,
} from '../../src/index.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: HTTP_SERVER_DURATION_BUCKETS },
      exemplars: { enabled: false },
    },
  },
  counters: {
    'shop.orders': {
      description: 'Orders placed.',
      attributes: ['shop.outcome'],
      exemplars: { enabled: false },
    },
  },
  slos: {
    availability: {
      description: 'Requests that do not fail.',
      objective: 99.9,
      sli: {
        kind: 'availability',
        metric: 'http.server.request.duration',
        bad: { 'error.type': ['500', 'timeout'] },
      },
    },
    orders: {
      description: 'Orders that go through.',
      objective: 99,
      sli: { kind: 'availability', metric: 'shop.orders', bad: { 'shop.outcome': ['failed'] } },
    },
  },
});

let telemetry: Telemetry<typeof spec> | undefined;
const server: Server = createServer((req, res) => {
  if (req.url === '/metrics' && telemetry !== undefined) return telemetry.metricsHandler(req, res);
  res.writeHead(404).end();
});
afterAll(async () => {
  await telemetry?.shutdown();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('a healthy service without error.type series has its availability SLI series', async () => {
  telemetry = createTelemetry(spec, { tailSampling: false });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const check = await startLiveCheck({ spec, metricsUrl, scrapeIntervalMs: 60_000 });
  // Only successful requests; orders recorded without their outcome (a bug the check must name).
  for (let i = 0; i < 20; i++) {
    telemetry.metrics.histogram('http.server.request.duration').record(0.02, {
      'http.request.method': 'GET',
      'http.route': '/orders',
      'http.response.status_code': 200,
      'url.scheme': 'http',
    });
    telemetry.metrics.counter('shop.orders').add(1);
  }
  const report = await check.finish();

  expect(report.observed.scrapes).toBeGreaterThanOrEqual(1);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject}: ${d.detail}`)).toEqual([
    'sli-series-absent orders shop.orders: no series carries the "bad" label shop_outcome',
  ]);
});

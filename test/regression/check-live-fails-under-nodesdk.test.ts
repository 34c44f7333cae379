// Regression: `plumbline check live` exited 1 for every clean app run the documented way
// (docs/nodesdk.md: plumbline inside NodeSDK with auto-instrumentations). The meter provider also
// carries the instrumentations' own metrics (instrumentation-runtime-node's nodejs.eventloop.* and
// v8js.*, instrumentation-http's and undici's http.client/server.request.duration), /metrics
// serves them and OTLP sends them, and the check reported each as `undeclared-metric` with no way
// to allow it. Now a metric of an OpenTelemetry instrumentation scope is listed as not the spec's
// and fails nothing; a metric the app makes under its own meter, undeclared, still fails.
// Real parts: createTelemetry behind node:http on 127.0.0.1, instrumentation meters taken from the
// global meter provider (as instrumentations take theirs), the CLI's `check live` over HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveCheckReport } from '../../src/check/index.js';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { runCheckLive } from '../support/cli.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '1.0.0' },
  schemaVersion: '1',
  events: {},
  counters: {
    'shop.orders': { description: 'Orders placed.', unit: '{order}', attributes: ['tenant'] },
  },
});

let dir: string;
let specPath: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-live-nodesdk-'));
  specPath = join(dir, 'spec.json');
  writeFileSync(specPath, JSON.stringify(spec));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The shop: the spec's counter, and what NodeSDK's auto-instrumentations record on the same meter
 * provider. `ownMetrics` adds two metrics the app makes itself, undeclared in the spec.
 */
async function startShop(otlpEndpoint: string, ownMetrics: boolean) {
  const telemetry = createTelemetry(spec, {
    otlpEndpoint,
    otlpLogs: false,
    tailSampling: false,
    metricExportIntervalMs: 200,
  });
  const orders = telemetry.metrics.counter('shop.orders');
  const httpMeter = metrics.getMeter('@opentelemetry/instrumentation-http', '0.210.0');
  const undiciMeter = metrics.getMeter('@opentelemetry/instrumentation-undici', '0.20.0');
  const runtimeMeter = metrics.getMeter('@opentelemetry/instrumentation-runtime-node', '0.24.0');
  const serverDuration = httpMeter.createHistogram('http.server.request.duration', { unit: 's' });
  const httpClientDuration = httpMeter.createHistogram('http.client.request.duration', { unit: 's' });
  const undiciClientDuration = undiciMeter.createHistogram('http.client.request.duration', { unit: 's' });
  for (const name of ['nodejs.eventloop.delay.max', 'nodejs.eventloop.delay.p99'])
    runtimeMeter.createObservableGauge(name, { unit: 's' }).addCallback((result) => result.observe(0.012));
  runtimeMeter
    .createObservableGauge('nodejs.eventloop.utilization', { unit: '1' })
    .addCallback((result) => result.observe(0.1));
  runtimeMeter
    .createObservableGauge('v8js.memory.heap.used', { unit: 'By' })
    .addCallback((result) => result.observe(4_000_000, { 'v8js.heap.space.name': 'new_space' }));
  runtimeMeter.createHistogram('v8js.gc.duration', { unit: 's' }).record(0.002, { 'v8js.gc.type': 'minor' });
  if (ownMetrics) {
    // The app's own instruments: on plumbline's meter and on a meter of its own name.
    telemetry.meter.createCounter('shop.refunds', { unit: '{refund}' }).add(1);
    metrics.getMeter('shop').createCounter('shop.returns', { unit: '{return}' }).add(2);
  }

  const server = createServer((req, res) => {
    if (req.url === '/metrics') return telemetry.metricsHandler(req, res);
    const started = performance.now();
    orders.add(1, { tenant: 'acme' });
    res.writeHead(201).end('ok');
    serverDuration.record((performance.now() - started) / 1000, {
      'http.request.method': 'POST',
      'http.route': '/orders',
      'http.response.status_code': 201,
      'url.scheme': 'http',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async placeOrders(count: number) {
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        expect((await fetch(`${url}/orders`, { method: 'POST' })).status).toBe(201);
        const attributes = { 'http.request.method': 'POST', 'server.address': '127.0.0.1' };
        httpClientDuration.record((performance.now() - started) / 1000, attributes);
        undiciClientDuration.record((performance.now() - started) / 1000, attributes);
      }
    },
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await telemetry.shutdown();
    },
  };
}

/** `plumbline check live --json` against the shop's /metrics and OTLP, under a little load. */
function checkShop(ownMetrics: boolean): Promise<{ code: number; report: LiveCheckReport }> {
  return runCheckLive(specPath, '2s', async (otlpEndpoint) => {
    const shop = await startShop(otlpEndpoint, ownMetrics);
    return { url: shop.url, drive: () => shop.placeOrders(10), stop: () => shop.stop() };
  });
}

const rows = (report: LiveCheckReport) =>
  report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source})`);

describe('check live on an app with OpenTelemetry instrumentation metrics', () => {
  it('passes a clean app: the instrumentation scopes’ metrics are not the spec’s', async () => {
    const { code, report } = await checkShop(false);
    expect(rows(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.observed.metricPoints).toBeGreaterThan(0);
    // Listed, by name and scope, as not the spec's.
    const notSpec = report.notSpecMetrics.map((m) => `${m.name} (${m.source}): ${m.reason}`);
    expect(notSpec).toEqual(
      expect.arrayContaining([
        'http.client.request.duration (otlp-metrics): instrumentation scope @opentelemetry/instrumentation-http',
        'http.client.request.duration (otlp-metrics): instrumentation scope @opentelemetry/instrumentation-undici',
        'nodejs.eventloop.delay.max (otlp-metrics): instrumentation scope @opentelemetry/instrumentation-runtime-node',
        'v8js.memory.heap.used (otlp-metrics): instrumentation scope @opentelemetry/instrumentation-runtime-node',
        'http_client_request_duration_seconds (metrics): instrumentation scopes @opentelemetry/instrumentation-http, @opentelemetry/instrumentation-undici',
        'http_server_request_duration_seconds (metrics): instrumentation scope @opentelemetry/instrumentation-http, as sent over OTLP',
        'nodejs_eventloop_delay_max_seconds (metrics): instrumentation scope @opentelemetry/instrumentation-runtime-node, as sent over OTLP',
        'v8js_gc_duration_seconds (metrics): instrumentation scope @opentelemetry/instrumentation-runtime-node, as sent over OTLP',
        'v8js_memory_heap_used_bytes (metrics): instrumentation scope @opentelemetry/instrumentation-runtime-node, as sent over OTLP',
      ]),
    );
  }, 30_000);

  it('still fails on the metrics the app makes itself and the spec does not declare', async () => {
    const { code, report } = await checkShop(true);
    expect(code).toBe(1);
    expect(rows(report).sort()).toEqual([
      'undeclared-metric shop.refunds (otlp-metrics)',
      'undeclared-metric shop.returns (otlp-metrics)',
      'undeclared-metric shop_refunds (metrics)',
      'undeclared-metric shop_returns (metrics)',
    ]);
    // Named by their scope: plumbline's meter (telemetry.meter) and the app's own.
    expect(report.deviations.map((d) => d.detail).sort()).toEqual([
      'sum, not in the spec (scope plumbline)',
      'sum, not in the spec (scope shop)',
      'type counter, not in the spec (scope plumbline, as sent over OTLP)',
      'type counter, not in the spec (scope shop, as sent over OTLP)',
    ]);
  }, 30_000);
});

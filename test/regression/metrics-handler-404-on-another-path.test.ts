// Regression: plumbline's /metrics handler answered 404 "not found" on any path but `/metrics`,
// so an app that already serves prom-client's registry there could not route plumbline's
// elsewhere: a CommonJS express trial mounted it on /plumbline/metrics and got 404 (docs only
// showed `/metrics`). The handler now answers whatever path the app routes to it. Real parts:
// createTelemetry's handler and prom-client's registry behind node:http on 127.0.0.1, promtool on
// plumbline's body.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { promtoolCheckMetrics } from '../support/promtool-check-metrics.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.request.duration': {
      description: 'Request latency.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.05, 0.25, 1] },
    },
  },
});

let telemetry: Telemetry<typeof spec>;
let server: Server;
let base: string;
const registry = new Registry();

beforeAll(async () => {
  telemetry = createTelemetry(spec, { logDestination: captureLines().destination });
  telemetry.metrics.histogram('orders.request.duration').record(0.1, { route: '/orders/:id' });
  collectDefaultMetrics({ register: registry });
  new Counter({ name: 'orders_legacy_total', help: 'The app’s own counter.', registers: [registry] }).inc();
  // The app's routes: prom-client keeps /metrics, plumbline gets a path of its own.
  server = createServer((request, response) => {
    if (request.url === '/metrics')
      void registry
        .metrics()
        .then((body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body));
    else if (request.url === '/plumbline/metrics') telemetry.metricsHandler(request, response);
    else response.writeHead(404).end();
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  await telemetry.shutdown();
});

it('metrics-handler-404-on-another-path: serves plumbline on /plumbline/metrics beside prom-client on /metrics', async () => {
  const ours = await fetch(`${base}/plumbline/metrics`);
  expect(ours.status).toBe(200); // was 404
  const oursBody = await ours.text();
  expect(oursBody).toMatch(/^orders_request_duration_seconds_bucket\{route="\/orders\/:id",le="0.25"\} 1$/m);
  const om = await fetch(`${base}/plumbline/metrics`, {
    headers: { accept: 'application/openmetrics-text' },
  });
  expect((await om.text()).endsWith('# EOF\n')).toBe(true);
  const theirs = await (await fetch(`${base}/metrics`)).text();
  expect(theirs).toMatch(/^orders_legacy_total 1$/m);
  // Ours passes promtool's lint (prom-client's own default metrics do not: a gauge named
  // nodejs_active_handles_total), and no family is in both (one scrape job each, no clash).
  const checked = await promtoolCheckMetrics(oursBody);
  expect(checked.code, checked.output).toBe(0);
  const families = (body: string) => new Set([...body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!));
  const shared = [...families(oursBody)].filter((name) => families(theirs).has(name));
  expect(shared).toEqual([]);
});

// Regression: the latency SLI check of `check live` looked for the threshold's bucket by text,
// le="0.25", so a service exposing the same bound as le="0.250" or le="2.5e-1" was reported
// `sli-series-absent … no …_bucket{le="0.25"} series`, though Prometheus stores a scraped le by
// its value (3.0 on: in its float form) and the rules' le="0.25" reads that bucket. The bucket is
// now found by value. Real parts: a node:http /metrics on 127.0.0.1 serving plumbline's own
// exposition with the bound rewritten, scraped by the check and by Prometheus 3.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { createMetrics } from '../../src/index.js';
import { waitFor } from '../support/process.js';
import { sampleValues, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { checkSpec, okRequest } from '../check/check-spec.js';

// The spec's latency SLI: http.server.request.duration, threshold 0.25, route /orders.
const metrics = createMetrics(checkSpec);
metrics.histogram('http.server.request.duration').record(0.05, okRequest);
let written = '0.25';

const server: Server = createServer((req, res) => {
  const exposed = metrics.serialize(req.headers.accept);
  const body = exposed.body.replaceAll('le="0.25"', `le="${written}"`);
  res.writeHead(200, { 'content-type': exposed.contentType }).end(body);
});
let prometheus: PrometheusServer | undefined;
afterAll(async () => {
  await prometheus?.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it.each(['0.250', '2.5e-1'])('the SLI bucket written le="%s" is found', async (form) => {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  written = form;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  // The rewritten bound is what the check scrapes.
  const scraped = await (await fetch(url, { headers: { accept: 'application/openmetrics-text' } })).text();
  expect(scraped).toContain(`le="${form}"`);

  const check = await startLiveCheck({ spec: checkSpec, metricsUrl: url, scrapeIntervalMs: 60_000 });
  const report = await check.finish();
  expect(report.deviations.map((d) => `${d.kind} ${d.subject}: ${d.detail}`)).toEqual([]);
  expect(report.ok).toBe(true);
});

it('Prometheus reads le="0.250" as the bucket the rules select with le="0.25"', async () => {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  written = '0.250';
  prometheus = await startPrometheus({
    jobs: [{ job: 'shop', targets: [`127.0.0.1:${(server.address() as AddressInfo).port}`] }],
    exemplars: false,
  });
  const selector = 'http_server_request_duration_seconds_bucket{job="shop",http_route="/orders",le="0.25"}';
  const values = await waitFor(
    'a scrape of the bucket',
    async () => {
      const result = sampleValues(await prometheus!.query(selector));
      return result.length > 0 ? result : undefined;
    },
    30_000,
  );
  expect(values).toEqual([1]);
}, 60_000);

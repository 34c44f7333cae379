// Regression: `check live` passed a service whose /metrics failed every other scrape (2 of 5
// answered HTTP 500: "no deviation", ok: true); only a /metrics that never answered was reported.
// A conformance check of a service Prometheus could not scrape half the time must not pass: a
// failed scrape is now an input-failed deviation counted per scrape. Not counted: connections
// refused before the first good scrape or after the last (the service starting, or stopped by
// checkUnderLoad's load before the check's last scrape). Real parts: flaky node:http servers on
// 127.0.0.1 serving plumbline's own exposition, scraped by the check over HTTP.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { checkUnderLoad, startLiveCheck } from '../../src/check/index.js';
import { createMetrics } from '../../src/index.js';
import { freePort } from '../support/process.js';
import { checkSpec, okRequest } from '../check/check-spec.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A conforming /metrics: one request recorded below the exemplar minimum. */
const metrics = createMetrics(checkSpec);
metrics.histogram('http.server.request.duration').record(0.05, okRequest);
const good: RequestListener = (req, res) => {
  const exposed = metrics.serialize(req.headers.accept);
  res.writeHead(200, { 'content-type': exposed.contentType }).end(exposed.body);
};

async function serve(handler: RequestListener, port = 0): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

/** Scrapes: the first at start, three asked for, the last at finish. */
async function fiveScrapes(url: string) {
  const check = await startLiveCheck({ spec: checkSpec, metricsUrl: url, scrapeIntervalMs: 60_000 });
  for (let i = 0; i < 3; i++) await check.scrape();
  return check.finish();
}

it('a /metrics that answers 500 every other scrape is a deviation, counted per failed scrape', async () => {
  let requests = 0;
  const url = await serve((req, res) => {
    if (++requests % 2 === 0) return void res.writeHead(500).end('busy');
    good(req, res);
  });
  const report = await fiveScrapes(url);
  expect(requests).toBe(5);
  expect(report.observed).toMatchObject({ scrapes: 3, scrapeFailures: 2 });
  expect(report.ok).toBe(false);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} ${d.count}: ${d.detail}`)).toEqual([
    `input-failed ${url} 2: 2 of 5 scrapes failed (last: GET ${url}: HTTP 500)`,
  ]);
});

it('a /metrics that cuts the connection between good scrapes is a deviation', async () => {
  let requests = 0;
  const url = await serve((req, res) => {
    if (++requests % 2 === 0) return void req.socket.destroy();
    good(req, res);
  });
  const report = await fiveScrapes(url);
  expect(report.observed).toMatchObject({ scrapes: 3, scrapeFailures: 2 });
  expect(report.deviations.map((d) => `${d.kind} ${d.subject} ${d.count}`)).toEqual([
    `input-failed ${url} 2`,
  ]);
});

it('a service started and stopped by the load: the refused scrapes around it are no deviation', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/metrics`;
  const report = await checkUnderLoad({
    spec: checkSpec,
    metricsUrl: url,
    scrapeIntervalMs: 60_000,
    load: async (check) => {
      await serve(good, port);
      await check.scrape();
      const server = servers.pop()!;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
  // The first scrape (before the service listened) and the last (after it stopped) were refused.
  expect(report.observed).toMatchObject({ scrapes: 1, scrapeFailures: 2 });
  expect(report.deviations).toEqual([]);
  expect(report.ok).toBe(true);
});

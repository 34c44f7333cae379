// Regression: against a /metrics that does not answer, `check live --duration 3s --scrape-interval
// 1s` took 41 s: every interval queued one more scrape behind the one running, each waited out its
// 10 s timeout in turn, and the report waited for all of them. A tick now starts no scrape while
// one is still running (the report counts the ticks skipped), and at the end the check waits for
// one scrape only: the one in flight is given up for the last scrape, so the run takes about
// --duration plus one scrape timeout. Real parts: a TCP server on 127.0.0.1 that reads requests
// and never answers, the check the CLI runs (runLiveCheck) scraping it over HTTP.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { runLiveCheck } from '../../src/check/index.js';
import { checkSpec } from '../check/check-spec.js';

const sockets: Socket[] = [];
let requests = 0;
const server = createServer((socket) => {
  sockets.push(socket);
  socket.on('data', (data) => (requests += data.toString('latin1').split('GET /metrics ').length - 1));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

it('a /metrics that never answers holds the run for one scrape timeout past --duration, not one per tick', async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const started = performance.now();
  const report = await runLiveCheck({
    spec: checkSpec,
    metricsUrl: url,
    durationMs: 3000,
    scrapeIntervalMs: 1000,
  });
  const seconds = (performance.now() - started) / 1000;

  // 3 s watched, then the last scrape's 10 s timeout (was 41 s: one timeout per tick, in a row).
  expect(seconds).toBeLessThan(3 + 12);
  expect(report.observed.scrapes).toBe(0);
  expect(report.observed.scrapeFailures).toBe(1); // the last one; the first was given up for it
  expect(report.observed.scrapesSkipped).toBeGreaterThanOrEqual(1);
  expect(report.deviations.map((d) => `${d.kind} ${d.subject}: ${d.detail}`)).toEqual([
    `input-failed ${url}: GET ${url}: The operation was aborted due to timeout`,
  ]);
  // The first scrape and the last one: no scrape per tick.
  expect(requests).toBe(2);
}, 60_000);

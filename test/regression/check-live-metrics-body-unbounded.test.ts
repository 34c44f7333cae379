// Regression: `check live` read a /metrics body whole, whatever its size: a service (or anything
// at that URL) answering a body of hundreds of MiB, or a small gzip that fetch inflates to as
// much (a gzip bomb), was held in memory and parsed. The body is now read to a bound, once
// decoded (32 MiB by default, `maxScrapeBytes`), and a scrape past it fails, named in the report.
// Real parts: node:http servers on 127.0.0.1 streaming the body, scraped by the check over HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/index.js';
import { checkSpec } from '../check/check-spec.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

// One valid OpenMetrics family whose HELP runs past the bound, then # EOF.
const HEADER = '# HELP pad ';
const FOOTER = '\n# TYPE pad gauge\npad 1\n# EOF\n';
/** The default bound (MAX_SCRAPE_BODY_BYTES), and a body 16 MiB past it. */
const BOUND = 32 * 1024 * 1024;
const BODY_BYTES = BOUND + 16 * 1024 * 1024;

async function report(url: string, maxScrapeBytes?: number) {
  const check = await startLiveCheck({
    spec: checkSpec,
    metricsUrl: url,
    scrapeIntervalMs: 60_000,
    ...(maxScrapeBytes === undefined ? {} : { maxScrapeBytes }),
  });
  return (await check.finish()).deviations.map((d) => `${d.kind} ${d.subject}: ${d.detail}`);
}

it('a /metrics body past the bound fails the scrape instead of being read whole', async () => {
  let written = 0;
  const url = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.write(HEADER);
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    // Written as the client reads, so what the client stops reading is not written.
    const more = () => {
      while (written < BODY_BYTES) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end(FOOTER);
    };
    more();
  });
  expect(await report(url)).toEqual([
    `input-failed ${url}: GET ${url}: body larger than ${BOUND} bytes (maxScrapeBytes)`,
  ]);
  // The check stopped reading: the rest was never written (socket buffers hold a few MiB).
  expect(written).toBeLessThan(BODY_BYTES);
});

it('a gzip /metrics that inflates past the bound (a gzip bomb) fails the scrape', async () => {
  const bomb = gzipSync(
    Buffer.concat([Buffer.from(HEADER), Buffer.alloc(BODY_BYTES, 'x'), Buffer.from(FOOTER)]),
  );
  expect(bomb.length).toBeLessThan(1024 * 1024);
  const url = await serve((_req, res) => {
    res
      .writeHead(200, {
        'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8',
        'content-encoding': 'gzip',
      })
      .end(bomb);
  });
  expect(await report(url)).toEqual([
    `input-failed ${url}: GET ${url}: body larger than ${BOUND} bytes (maxScrapeBytes)`,
  ]);
  // The bound is the caller's to set: a small one refuses a small bomb.
  expect(await report(url, 1024 * 1024)).toEqual([
    `input-failed ${url}: GET ${url}: body larger than ${1024 * 1024} bytes (maxScrapeBytes)`,
  ]);
});

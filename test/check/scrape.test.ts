// Scraping asks for OpenMetrics; a server that answers the 0.0.4 text anyway is reported, since
// units and exemplars cannot be seen there, and an endpoint that never answers is named.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLiveCheck } from '../../src/check/live-check.js';
import { SCRAPE_ACCEPT, scrapeMetrics } from '../../src/check/scrape.js';
import { createMetrics } from '../../src/index.js';
import { checkSpec } from './check-spec.js';

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))),
);

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

describe('scrapeMetrics', () => {
  it("asks for OpenMetrics and gets plumbline's OpenMetrics", async () => {
    const metrics = createMetrics(checkSpec);
    let accept: string | undefined;
    const url = await serve((req, res) => {
      accept = req.headers.accept;
      const exposed = metrics.serialize(req.headers.accept);
      res.writeHead(200, { 'content-type': exposed.contentType }).end(exposed.body);
    });
    const scrape = await scrapeMetrics(url);
    expect(accept).toBe(SCRAPE_ACCEPT);
    expect(scrape.openMetrics).toBe(true);
    expect(scrape.exposition.sawEof).toBe(true);
  });

  it('reports a server that answers 0.0.4 text to an OpenMetrics request', async () => {
    const metrics = createMetrics(checkSpec);
    const url = await serve((_req, res) => {
      const exposed = metrics.serialize('text/plain');
      res.writeHead(200, { 'content-type': exposed.contentType }).end(exposed.body);
    });
    const check = await startLiveCheck({ spec: checkSpec, metricsUrl: url });
    const report = await check.finish();
    expect(report.deviations.map((d) => `${d.kind} ${d.subject}`)).toEqual([
      'sli-series-absent latency http.server.request.duration',
      `exposition-invalid ${url}`,
    ]);
  });

  it('names the URL and the status of a failing endpoint', async () => {
    const url = await serve((_req, res) => res.writeHead(503).end('busy'));
    await expect(scrapeMetrics(url)).rejects.toThrow(`GET ${url}: HTTP 503`);
  });
});

// Regression (hostile-traffic trial, ESM fastify 5 under NodeSDK, OTel JS 2.x): undeclared
// attributes of a measurement become its exemplar's labels, and an app that passed request input
// on (`{ route, ...body.extra }`) wrote `# {…,u="a<NUL>b"}` for a value holding a NUL, and `=""` for
// an empty key. Prometheus refuses the whole OpenMetrics scrape for either ("expected label value,
// got "\"a\x00" (INVALID)", "expected label name, got "=\"""): the target was down, every series
// of the service lost, until the slot took another exemplar. OpenMetrics has no escape for a NUL
// (in a series' label value Prometheus takes one). Now such an attribute is left out of the
// exemplar and counted in plumbline_exemplar_attributes_dropped_total; the exemplar is kept.
// Real parts: createMetrics' exposition over HTTP inside a real sampled span, scraped by
// Prometheus 3 with exemplar storage.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';
import { waitFor } from '../support/process.js';
import { startPrometheus, type PrometheusServer } from '../support/prometheus.js';

const spec = defineTelemetry({
  service: { name: 'orders' },
  events: {},
  histograms: {
    'orders.duration': {
      description: 'd',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.1, 1] },
      exemplars: { minValue: 0 },
    },
  },
});

let tracing: Tracing;
const servers: Server[] = [];
let prometheus: PrometheusServer | undefined;
beforeAll(() => (tracing = setupTracing()));
afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  tracing.close();
});

const CASES = {
  // A NUL in a value from request input (a JSON body's "\u0000").
  nul: { route: '/a', u: 'a\u0000b', kept: 'yes' },
  // An empty key (a JSON body's "": "x").
  empty: { route: '/a', '': 'x', kept: 'yes' },
} as const;

async function serve(attributes: Record<string, string>) {
  const metrics = createMetrics(spec, { exemplarFilter: 'trace_based' });
  const traceId = tracing.inSpan((span) => {
    metrics.histogram('orders.duration').record(0.05, attributes);
    return span.spanContext().traceId;
  });
  const server = createServer((request, response) => {
    const { contentType, body } = metrics.serialize(request.headers.accept);
    response.writeHead(200, { 'content-type': contentType }).end(body);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { metrics, traceId, target: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe('exemplar-attribute-nul-or-empty-key-fails-openmetrics-scrape', () => {
  it('leaves the attribute out, counts it, and Prometheus takes the scrape and the exemplar', async () => {
    const nul = await serve(CASES.nul);
    const empty = await serve(CASES.empty);
    prometheus = await startPrometheus({
      jobs: [
        { job: 'nul', targets: [nul.target] },
        { job: 'empty', targets: [empty.target] },
      ],
    });
    const targets = await waitFor('both targets scraped', async () => {
      const all = await prometheus!.targets();
      return all.length === 2 && all.every((t) => t.health !== 'unknown') ? all : undefined;
    });
    // Before: both down, lastError "expected label value, got …" / "expected label name, got …".
    expect(targets.map((t) => [t.labels.job, t.health, t.lastError]).sort()).toEqual([
      ['empty', 'up', ''],
      ['nul', 'up', ''],
    ]);

    for (const { job, traceId } of [
      { job: 'nul', traceId: nul.traceId },
      { job: 'empty', traceId: empty.traceId },
    ]) {
      const now = Date.now() / 1000;
      const series = await waitFor(`the ${job} exemplar stored`, async () => {
        const found = await prometheus!.queryExemplars(
          `orders_duration_seconds_bucket{job="${job}"}`,
          now - 300,
          now + 60,
        );
        return found.some((s) => s.exemplars.length > 0) ? found : undefined;
      });
      const labels = series.flatMap((s) => s.exemplars.map((e) => e.labels));
      expect(labels).toContainEqual(expect.objectContaining({ trace_id: traceId, kept: 'yes' }));
      for (const exemplarLabels of labels)
        expect(Object.keys(exemplarLabels).sort()).toEqual(['kept', 'span_id', 'trace_id']);
    }
    // Counted at each scrape that leaves it out (Prometheus's scrapes included): one per scrape.
    const dropped = (metrics: typeof nul.metrics) =>
      Number(
        /plumbline_exemplar_attributes_dropped_total\{metric="orders\.duration"\} (\d+)\n/.exec(
          metrics.serialize('application/openmetrics-text;version=1.0.0').body,
        )?.[1],
      );
    for (const { metrics } of [nul, empty]) {
      const before = dropped(metrics);
      expect(before).toBeGreaterThanOrEqual(1);
      expect(dropped(metrics)).toBe(before + 1);
    }
  });
});

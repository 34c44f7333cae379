// Regression: a handle of an instrument name the spec does not declare (createMetrics' counter,
// histogram or gauge with an unknown name) held the name whole and handed it to
// plumbline_metrics_dropped_total on every call, which built and looked up a key of its length
// before cutting it to the label bound (self-metric-label-value-unbounded): a 1 MB name cost
// O(1 MB) per call, forever, and each handle held its 1 MB. The name is now cut once, when the
// handle is made; each call still counts its measurement under the cut name and its cut as
// reason="label_value_truncated", as before. Checked over a real HTTP scrape of /metrics.
import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, metricsRequestHandler } from '../../src/index.js';
import { sdkSeries } from '../../src/spec/naming.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {},
  counters: { 'edge.requests': { description: 'Requests.' } },
});
type Name = 'edge.requests';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** /metrics of these metrics, scraped over HTTP. */
async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  const server: Server = createServer(metricsRequestHandler(metrics));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise((done) => server.close(done)));
  const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The heap in use after a full collection. */
function heapAfterGc(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const dropped = sdkSeries.metricsDropped;
/** A 1 MB name, distinct from the others in its first characters. */
const megabyteName = (i: number) => `edge.${String(i).padStart(6, '0')}${'a'.repeat(1_000_000)}`;

describe('regression: an unknown instrument name was cut on every call', () => {
  it('a handle of an unknown 1 MB name holds its cut name only', () => {
    const metrics = createMetrics(spec);
    const before = heapAfterGc();
    const handles = Array.from({ length: 100 }, (_, i) => metrics.counter(megabyteName(i) as Name));
    for (const handle of handles) handle.add(1);
    const grown = heapAfterGc() - before;
    // Whole, the 100 names were held by their handles: 100 MB; cut, 100 x 2 KB and their series.
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    expect(handles).toHaveLength(100);
  });

  it('counts each call under the cut name, and each cut, as before', async () => {
    const metrics = createMetrics(spec);
    const long = megabyteName(1);
    const counter = metrics.counter(long as Name);
    for (let i = 0; i < 50; i++) counter.add(1);
    counter.bind({}).add(1);
    // A new handle of the same name, and of a name that differs past the cut: the same series.
    metrics.counter(long as Name).add(1);
    metrics.counter(`${long}b` as Name).add(1);
    // A histogram and a gauge of a long unknown name: their own calls, the same counts.
    metrics.histogram(long as never).record(1);
    metrics.gauge(long as never).set(1);
    // A short unknown name: no cut counted.
    metrics.counter('edge.unknown' as Name).add(1);

    const body = await scrape(metrics);
    expect(body.length).toBeLessThan(16 * 1024);
    const cutName = long.slice(0, 2048);
    expect(body).toContain(`${dropped}{metric="${cutName}",reason="unknown_instrument"} 55\n`);
    expect(body).toContain(`${dropped}{metric="edge.unknown",reason="unknown_instrument"} 1\n`);
    expect(body).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 55\n`);
    expect(body.split('\n').filter((line) => line.includes('reason="unknown_instrument"'))).toHaveLength(2);
  });

  it('cuts to labelValueLengthLimit on a character boundary, an unknown name alike', async () => {
    const metrics = createMetrics(spec, { labelValueLengthLimit: 100 });
    const counter = metrics.counter('€'.repeat(50) as Name); // 150 bytes
    counter.add(1);
    counter.add(2);
    const body = await scrape(metrics);
    expect(body).toContain(`${dropped}{metric="${'€'.repeat(33)}",reason="unknown_instrument"} 2\n`);
    expect(body).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 2\n`);
  });
});

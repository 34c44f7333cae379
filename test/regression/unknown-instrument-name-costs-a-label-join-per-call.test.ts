// Regression (metrics review): recording into an instrument name the spec does not declare
// counts the measurement on plumbline_metrics_dropped_total{metric=<name>,
// reason="unknown_instrument"}. The name (cut to the label bound once, per handle) was handed to
// the self counter on every call, which joined its label values into a key and hashed it: a
// 2 KB name allocated and hashed 2 KB per call, about 3.5 us a call where a short name took
// 0.16 us. The unknown name's handle now adds to a bound series, and counter(name) of a name
// asked for before returns its handle. What is counted is unchanged: each call under the cut
// name, each cut as reason="label_value_truncated". Cost is checked as garbage, not time: the
// old path made 2 KB of key per call (young-generation collections every few thousand calls);
// the bound one makes none. Counts are checked over a real HTTP scrape of /metrics.
import { createServer, type Server } from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, expect, it } from 'vitest';
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

async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  const server: Server = createServer(metricsRequestHandler(metrics));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise((done) => server.close(done)));
  const response = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** Garbage collections while `work` runs (after a full collection first). */
async function collectionsDuring(work: () => void): Promise<number> {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const starts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) starts.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  work();
  const to = performance.now();
  // GC entries are delivered after the turn that saw them; only those that began during `work`
  // count (the test runner may collect while this waits).
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return starts.filter((start) => start >= from && start <= to).length;
}

const dropped = sdkSeries.metricsDropped;
/** 2 KB: under the default 2048-byte label bound, so written whole. */
const twoKbName = `edge.${'a'.repeat(2040)}`;
/** 3 KB: cut to the bound. */
const threeKbName = `edge.${'b'.repeat(3000)}`;

it('adding through the handle of a 2 KB unknown name makes no garbage per call', async () => {
  const metrics = createMetrics(spec);
  const handle = metrics.counter(twoKbName as Name);
  handle.add(1);
  // 40,000 calls: 80 MB of keys on the old path.
  const collections = await collectionsDuring(() => {
    for (let i = 0; i < 40_000; i++) handle.add(1);
  });
  expect(collections).toBe(0);
});

it('counter(name) of the same unknown name, called again, makes no garbage per call either', async () => {
  const metrics = createMetrics(spec);
  metrics.counter(twoKbName as Name).add(1);
  const collections = await collectionsDuring(() => {
    for (let i = 0; i < 40_000; i++) metrics.counter(twoKbName as Name).add(1);
  });
  // A handle object per call at most (a few MB at 40,000 calls), no 2 KB key.
  expect(collections).toBeLessThanOrEqual(2);
});

it('counts each call under the name (cut when past the bound) and each cut, as before', async () => {
  const metrics = createMetrics(spec);
  const whole = metrics.counter(twoKbName as Name);
  for (let i = 0; i < 5; i++) whole.add(1);
  whole.bind({}).add(1);
  metrics.counter(twoKbName as Name).add(1);
  const cut = metrics.counter(threeKbName as Name);
  for (let i = 0; i < 3; i++) cut.add(1);
  // The same name asked again, and one that differs past the cut: the same series.
  metrics.counter(threeKbName as Name).add(1);
  metrics.counter(`${threeKbName}z` as Name).add(1);
  metrics.histogram(threeKbName as never).record(1);
  metrics.gauge(threeKbName as never).set(1);
  const text = await scrape(metrics);
  const cutName = threeKbName.slice(0, 2048);
  expect(text).toContain(`${dropped}{metric="${twoKbName}",reason="unknown_instrument"} 7\n`);
  expect(text).toContain(`${dropped}{metric="${cutName}",reason="unknown_instrument"} 7\n`);
  expect(text).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 7\n`);
});

// Regression: the SDK's own metrics had no bound on a label value's length (only on their series
// count, 1,000). An instrument name the spec does not declare becomes the `metric` label of
// plumbline_metrics_dropped_total{reason="unknown_instrument"}, so an app passing a 1 MB name
// (a name built from a request) put a 1 MB line on /metrics at every scrape, and a sampler budget
// key a client chose (the keep-probability gauge's `key`) did the same. Self-metric label values
// are now cut like the instruments' (labelValueLengthLimit, default 2048 UTF-8 bytes); each cut
// of a counter's value is counted in plumbline_metrics_dropped_total{metric=<the self metric>,
// reason="label_value_truncated"}, and gauge samples whose labels come out alike are one line.
// Checked over a real HTTP scrape of /metrics.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, metricsRequestHandler } from '../../src/index.js';
import { sdkSeries } from '../../src/spec/naming.js';
import { peerBinary } from '../support/peers.js';
import { freePort, startProcess, waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {},
  counters: { 'edge.requests': { description: 'Requests.' } },
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves these metrics' /metrics over HTTP; the port. */
async function serve(metrics: ReturnType<typeof createMetrics>): Promise<number> {
  const server: Server = createServer(metricsRequestHandler(metrics));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise((done) => server.close(done)));
  return (server.address() as { port: number }).port;
}

/** /metrics of these metrics, scraped over HTTP. */
async function scrape(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${await serve(metrics)}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of `label` on each line of `sample` (no escapes in these values). */
function labelValues(body: string, sample: string, label: string, where = ''): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${sample}{`) && line.includes(where))
    .map((line) => new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '');
}

const dropped = sdkSeries.metricsDropped;
const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

describe('regression: self-metric label values had no length bound', () => {
  it('an unknown 1 MB instrument name is cut to 2048 bytes on /metrics, and each cut is counted', async () => {
    const metrics = createMetrics(spec);
    const long = `edge.${'a'.repeat(1_000_000)}`;
    metrics.counter(long as 'edge.requests').add(1);
    metrics.counter(long as 'edge.requests').add(1);
    // Differs only past the cut: the same series.
    metrics.counter(`${long}b` as 'edge.requests').add(1);

    const body = await scrape(metrics);
    expect(body.length).toBeLessThan(16 * 1024);
    const names = labelValues(body, dropped, 'metric', 'reason="unknown_instrument"');
    expect(names).toHaveLength(1);
    expect(byteLength(names[0]!)).toBe(2048);
    expect(long.startsWith(names[0]!)).toBe(true);
    expect(body).toContain(`${dropped}{metric="${names[0]}",reason="unknown_instrument"} 3\n`);
    expect(body).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 3\n`);
  });

  it('follows labelValueLengthLimit, cutting on a character boundary', async () => {
    const metrics = createMetrics(spec, { labelValueLengthLimit: 100 });
    metrics.counter('€'.repeat(50) as 'edge.requests').add(1); // 150 bytes
    const body = await scrape(metrics);
    expect(labelValues(body, dropped, 'metric', 'reason="unknown_instrument"')).toEqual(['€'.repeat(33)]);
    expect(body).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 1\n`);
  });

  it("a limit shorter than the SDK's own words and the spec's names leaves those whole", async () => {
    const metrics = createMetrics(spec, { labelValueLengthLimit: 10 });
    metrics.counter('x'.repeat(100) as 'edge.requests').add(1);
    metrics.counter('edge.requests').add(Number.NaN);
    const body = await scrape(metrics);
    // Cut to 64 bytes, not 10: the SDK's words are kept whole, as are the spec's names.
    expect(labelValues(body, dropped, 'metric', 'reason="unknown_instrument"')).toEqual(['x'.repeat(64)]);
    expect(body).toContain(`${dropped}{metric="edge.requests",reason="invalid_value"} 1\n`);
    expect(body).toContain(`${dropped}{metric="${dropped}",reason="label_value_truncated"} 1\n`);
  });

  it('cuts a self counter of the telemetry (assembly-made) the same way, counted under its name', async () => {
    const metrics = createMetrics(spec);
    const family = 'plumbline_test_events_total';
    const counter = metrics.selfCounter(family, 'Test events.', ['event']);
    counter.add(1, { event: 'x'.repeat(100_000) });
    const body = await scrape(metrics);
    expect(body.length).toBeLessThan(16 * 1024);
    expect(labelValues(body, family, 'event').map(byteLength)).toEqual([2048]);
    expect(body).toContain(`${dropped}{metric="${family}",reason="label_value_truncated"} 1\n`);
  });

  it('cuts a self gauge label (a client-chosen budget key) and writes keys alike up to the cut once', async () => {
    const metrics = createMetrics(spec);
    const key = 'k'.repeat(1_000_000);
    metrics.selfGauge(sdkSeries.samplerKeepProbability, 'Keep probability.', ['policy', 'key'], () => [
      { labels: { policy: 'budget', key: `${key}1` }, value: 0.5 },
      { labels: { policy: 'budget', key: `${key}2` }, value: 0.25 },
      { labels: { policy: 'budget', key: 'short' }, value: 1 },
    ]);
    const body = await scrape(metrics);
    expect(body.length).toBeLessThan(16 * 1024);
    const keys = labelValues(body, sdkSeries.samplerKeepProbability, 'key');
    expect(keys.map(byteLength)).toEqual([2048, 5]);
    expect(body).toContain(`${sdkSeries.samplerKeepProbability}{policy="budget",key="${keys[0]}"} 0.5\n`);
    expect(body).toContain(`${sdkSeries.samplerKeepProbability}{policy="budget",key="short"} 1\n`);
  });

  it('keeps a Prometheus scrape with label_value_length_limit: 2048 up after an unknown 1 MB name', async () => {
    const metrics = createMetrics(spec);
    metrics.counter(`edge.${'n'.repeat(1_000_000)}` as 'edge.requests').add(1);
    const appPort = await serve(metrics);
    const dir = await mkdtemp(join(tmpdir(), 'plumbline-self-label-limit-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: edge',
        '    label_value_length_limit: 2048',
        '    static_configs:',
        `      - targets: ["127.0.0.1:${appPort}"]`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const prometheus = startProcess(peerBinary('prometheus'), [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    cleanups.push(() => prometheus.stop());
    const target = await waitFor(
      'the first scrape',
      async () => {
        const answer = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as {
          data: { activeTargets: { health: string; lastError: string }[] };
        };
        const found = answer.data.activeTargets[0];
        return found === undefined || found.health === 'unknown' ? undefined : found;
      },
      60_000,
    );
    expect(target, 'the target after its first scrape').toMatchObject({ health: 'up', lastError: '' });
  }, 90_000);
});

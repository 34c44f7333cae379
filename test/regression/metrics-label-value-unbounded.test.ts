// Regression (metrics review): a label value had no length bound. The cardinality cap bounds
// series per instrument, not bytes per value, so a client whose route or header becomes an
// attribute value made one series line a megabyte long, held in memory and written at every
// scrape and export; a Prometheus whose scrape config sets label_value_length_limit fails the
// whole target on it (up=0, every series of the service lost), and Cortex/Mimir refuse the
// series past 2048 bytes. Values are now cut to labelValueLengthLimit UTF-8 bytes (default 2048)
// where a series is looked up, the cut form keys the series, and each cut is counted in
// plumbline_metrics_dropped_total{reason="label_value_truncated"}. Real peer: Prometheus 3 with
// label_value_length_limit: 2048 scrapes a real /metrics.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry } from '../../src/index.js';
import { peerBinary } from '../support/peers.js';
import { freePort, startProcess, waitFor } from '../support/process.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const spec = defineTelemetry({
  service: { name: 'edge' },
  events: {},
  counters: {
    'edge.requests': { description: 'Requests.', attributes: ['http.route', 'tenant'] },
  },
});

const byteLength = (text: string) => Buffer.byteLength(text, 'utf8');

/** The label value of `label` on the line of `sample` in 0.0.4 text (no escapes in these values). */
function labelValue(body: string, sample: string, label: string): string[] {
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${sample}{`))
    .map((line) => new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? '');
}

const truncatedCount = (body: string) =>
  /plumbline_metrics_dropped_total\{metric="edge\.requests",reason="label_value_truncated"\} (\d+)/.exec(
    body,
  )?.[1];

describe('regression: metric label values had no length bound', () => {
  it('cuts a value to 2048 UTF-8 bytes by default, keys the series by the cut form, and counts each cut', () => {
    const metrics = createMetrics(spec);
    const counter = metrics.counter('edge.requests');
    const long = `/api/${'a'.repeat(1_000_000)}`;
    counter.add(1, { 'http.route': long, tenant: 'acme' });
    counter.add(1, { 'http.route': long, tenant: 'acme' });
    // Differs only past the cut: the same series.
    counter.add(1, { 'http.route': `${long}b`, tenant: 'acme' });
    counter.add(1, { 'http.route': '/health', tenant: 'acme' });

    const body = metrics.serialize().body;
    expect(body.length).toBeLessThan(16 * 1024);
    const routes = labelValue(body, 'edge_requests_total', 'http_route');
    expect(routes).toHaveLength(2);
    expect(byteLength(routes[0]!)).toBe(2048);
    expect(long.startsWith(routes[0]!)).toBe(true);
    expect(routes[1]).toBe('/health');
    expect(body).toContain(`edge_requests_total{http_route="${routes[0]}",tenant="acme"} 3\n`);
    expect(truncatedCount(body)).toBe('3');
    // OpenMetrics and OTLP carry the same cut value.
    expect(metrics.serialize('application/openmetrics-text').body.length).toBeLessThan(16 * 1024);
  });

  it('cuts on a character boundary, never inside a multi-byte character or a surrogate pair', async () => {
    const metrics = createMetrics(spec, { labelValueLengthLimit: 10 });
    const counter = metrics.counter('edge.requests');
    counter.add(1, { 'http.route': '€€€€€', tenant: '😀😀😀😀' }); // 15 and 16 bytes
    counter.add(1, { 'http.route': 'abcdefghij', tenant: 'x' }); // exactly 10: kept whole
    const { resourceMetrics } = await metrics.producer.collect();
    const points = resourceMetrics.scopeMetrics[0]!.metrics.find(
      (metric) => metric.descriptor.name === 'edge.requests',
    )!.dataPoints;
    expect(points.map((point) => point.attributes)).toEqual([
      { 'http.route': '€€€', tenant: '😀😀' },
      { 'http.route': 'abcdefghij', tenant: 'x' },
    ]);
    expect(truncatedCount(metrics.serialize().body)).toBe('2');
  });

  it('counts an undeclared attribute name too long for a label value under (other)', () => {
    const metrics = createMetrics(spec);
    metrics.counter('edge.requests').add(1, { 'http.route': '/a', tenant: 't', ['h'.repeat(5000)]: 'x' });
    const body = metrics.serialize().body;
    expect(body).toContain(
      'plumbline_metrics_undeclared_attributes_total{metric="edge.requests",attribute="(other)"} 1\n',
    );
    expect(body.length).toBeLessThan(16 * 1024);
  });

  it('refuses a limit that is no whole number of bytes, naming the option', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '2048'])
      expect(() => createMetrics(spec, { labelValueLengthLimit: bad as number })).toThrow(
        /labelValueLengthLimit: expected a whole number of bytes/,
      );
  });

  it('keeps a Prometheus scrape with label_value_length_limit: 2048 up', async () => {
    const metrics = createMetrics(spec);
    metrics.counter('edge.requests').add(1, { 'http.route': `/x/${'z'.repeat(100_000)}`, tenant: 'acme' });
    const server = createServer((request, response) => {
      const exposed = metrics.serialize(request.headers.accept);
      response.writeHead(200, { 'content-type': exposed.contentType }).end(exposed.body);
    });
    const appPort = await freePort();
    await new Promise<void>((resolve) => server.listen(appPort, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));

    const dir = await mkdtemp(join(tmpdir(), 'plumbline-label-limit-'));
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

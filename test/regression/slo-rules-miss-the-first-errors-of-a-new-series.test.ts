// Regression (SLO trial in a user's app): rate() and increase() start at a series' first sample,
// and an availability SLI's bad series (the 5xx of a route, on the HTTP histogram) is born at the
// first error. A burst on a new series within one scrape interval was invisible to the generated
// rules: 30 errors read increase() 0, and in the trial 99 of 1196 5xx (8%) were missed, while the
// in-process engine counted them all. plumbline writes `_created` in OpenMetrics, and Prometheus
// ingests a zero at that time with --enable-feature=created-timestamp-zero-ingestion; docs/slo.md
// did not say so. Here a real Prometheus with and without the flag scrapes the same /metrics.
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePrometheusRules } from '../../src/generate/rules/prometheus-rules.js';
import { createMetrics } from '../../src/metrics/create-metrics.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import { peerBinary } from '../support/peers.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';

const spec = {
  service: { name: 'shop' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Duration.',
      unit: 's',
      attributes: [
        'http.request.method',
        'http.route',
        'http.response.status_code',
        'url.scheme',
        'error.type',
      ],
      buckets: { boundaries: [0.1, 0.3, 1] },
    },
  },
  slos: {
    'shop-availability': {
      description: 'Requests do not fail with a 5xx',
      objective: 99,
      sli: {
        kind: 'availability',
        metric: 'http.server.request.duration',
        bad: { 'http.response.status_code': ['5*'] },
      },
    },
  },
} as const satisfies TelemetrySpec;

const BAD = 'http_server_request_duration_seconds_count{http_response_status_code=~"5.*"}';

let server: Server | undefined;
let dir: string | undefined;
const peers: RunningProcess[] = [];
afterAll(async () => {
  for (const peer of peers) await peer.stop();
  await new Promise((done) => (server === undefined ? done(undefined) : server.close(done)));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function startPrometheus(name: string, target: string, features: string[]): Promise<string> {
  const home = join(dir!, name);
  const config = join(dir!, `${name}.yml`);
  await writeFile(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(dir!, 'shop-slo.rules.yaml'))}]`,
      `scrape_configs: [{ job_name: shop, static_configs: [{ targets: [${JSON.stringify(target)}] }] }]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const running = startProcess(peerBinary('prometheus'), [
    `--config.file=${config}`,
    `--storage.tsdb.path=${home}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...features.map((feature) => `--enable-feature=${feature}`),
  ]);
  peers.push(running);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'Prometheus to be ready',
    async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
    60_000,
  );
  return url;
}

async function value(url: string, expr: string): Promise<number | undefined> {
  const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const sample = body.data.result[0];
  return sample === undefined ? undefined : Number(sample.value[1]);
}

describe('the first errors of a new bad series', () => {
  it('docs/slo.md says to run Prometheus with created-timestamp-zero-ingestion', async () => {
    const doc = await readFile(new URL('../../docs/slo.md', import.meta.url), 'utf8');
    expect(doc).toContain('--enable-feature=created-timestamp-zero-ingestion');
  });

  it('are counted by the rules with the flag, and lost without it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'plumbline-new-series-'));
    await writeFile(join(dir, 'shop-slo.rules.yaml'), generatePrometheusRules(spec));
    const metrics = createMetrics(spec);
    const duration = metrics.histogram('http.server.request.duration');
    server = createServer((request, response) => {
      const { contentType, body } = metrics.serialize(request.headers.accept);
      response.writeHead(200, { 'content-type': contentType }).end(body);
    });
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const target = `127.0.0.1:${(server.address() as { port: number }).port}`;
    const withFlag = await startPrometheus('with', target, ['created-timestamp-zero-ingestion']);
    const without = await startPrometheus('without', target, []);

    for (let i = 0; i < 20; i++) duration.record(0.05, { 'http.response.status_code': 200 });
    for (const url of [withFlag, without])
      await waitFor('scrapes of the good series', async () =>
        ((await value(url, 'count_over_time(up[1m])')) ?? 0) >= 3 ? true : undefined,
      );
    // 30 errors at once: their series is born with them, first scraped at 30.
    for (let i = 0; i < 30; i++) duration.record(0.05, { 'http.response.status_code': 503 });
    for (const url of [withFlag, without])
      await waitFor('a scrape of the 30 errors', async () =>
        (await value(url, `sum(${BAD})`)) === 30 ? true : undefined,
      );
    await waitFor('a rule evaluation after it', async () =>
      ((await value(withFlag, 'plumbline_slo:error_ratio:rate5m')) ?? 0) > 0 ? true : undefined,
    );

    expect(await value(withFlag, `sum(increase(${BAD}[5m]))`)).toBeGreaterThanOrEqual(30);
    expect(await value(withFlag, 'plumbline_slo:error_ratio:rate5m')).toBeGreaterThan(0.5);
    // Without the flag, the 30 are the first sample: no increase, no error in the rules.
    expect(await value(without, `sum(increase(${BAD}[5m])) or vector(0)`)).toBe(0);
    expect(await value(without, 'plumbline_slo:error_ratio:rate5m')).toBe(0);
  }, 120_000);
});

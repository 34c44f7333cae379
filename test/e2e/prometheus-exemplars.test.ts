// Real peer: Prometheus 3 with exemplar storage scrapes a test app's /metrics (OpenMetrics,
// negotiated; a second job forced to the classic text format shows the same le spelling) every second; the app recorded histograms inside real sampled spans. Checked
// through Prometheus's HTTP API: bucket counts, exemplar trace IDs, histogram_quantile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMetrics,
  histogramQuantile,
  metricsRequestHandler,
  negotiateFormat,
} from '../../src/metrics/index.js';
import { formatPrometheusFloat } from '../../src/spec/naming.js';
import { HTTP_SERVER_DURATION_ATTRIBUTES } from '../../src/spec/semconv-http.js';
import { freePort, startProcess, waitFor, type RunningProcess } from '../support/process.js';
import { setupTracing, type Tracing } from '../metrics/tracing.js';
import { peerBinary } from '../support/peers.js';

const PROMETHEUS = peerBinary('prometheus');
const METRIC = 'http_server_request_duration_seconds';
const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const spec = {
  service: { name: 'e2e-app' },
  events: {},
  histograms: {
    'http.server.request.duration': {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      // The spec check requires the HTTP convention's attributes of this metric name.
      attributes: HTTP_SERVER_DURATION_ATTRIBUTES,
      buckets: { boundaries: BOUNDARIES },
    },
  },
  slos: {
    'checkout-latency': {
      description: 'Checkout answers within 250 ms.',
      objective: 99,
      sli: { kind: 'latency', histogram: 'http.server.request.duration', threshold: 0.25 },
    },
  },
} as const;

interface Recorded {
  readonly route: string;
  readonly value: number;
  readonly traceId: string;
  readonly spanId: string;
}

let tracing: Tracing;
let app: Server;
let prometheus: RunningProcess | undefined;
let prometheusUrl = '';
let dataDir = '';
const recorded: Recorded[] = [];
const markedTraces = new Set<string>();
/** Every scrape the app answered: its path and Prometheus's Accept header. */
const scrapes: { path: string; accept: string }[] = [];
let appUrl = '';

async function api(path: string): Promise<unknown> {
  const response = await fetch(`${prometheusUrl}${path}`);
  const body = (await response.json()) as { status: string; data: unknown; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

async function instant(
  query: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const data = (await api(`/api/v1/query?query=${encodeURIComponent(query)}`)) as {
    result: { metric: Record<string, string>; value: [number, string] }[];
  };
  return data.result;
}

function bucketOf(value: number): number {
  const index = BOUNDARIES.findIndex((bound) => value <= bound);
  return index === -1 ? BOUNDARIES.length : index;
}

/** Cumulative counts per `le` for one route, computed from what was recorded (not from the SDK). */
function expectedCumulative(route: string): number[] {
  const perBucket = new Array<number>(BOUNDARIES.length + 1).fill(0);
  for (const r of recorded) if (r.route === route) perBucket[bucketOf(r.value)]!++;
  let running = 0;
  return perBucket.map((count) => (running += count));
}

beforeAll(async () => {
  tracing = setupTracing();
  const metrics = createMetrics(spec, {
    exemplarFilter: 'trace_based',
    onExemplar: (traceId) => void markedTraces.add(traceId),
  });
  const histogram = metrics.histogram('http.server.request.duration');
  // Deterministic spread over the buckets, two routes, every value inside its own sampled span.
  const routes = ['/checkout', '/search'];
  for (let i = 0; i < 240; i++) {
    const route = routes[i % 2]!;
    const value = Number(((((i * 37) % 113) / 113) * (route === '/checkout' ? 1.2 : 3)).toFixed(4));
    tracing.inSpan((span) => {
      histogram.record(value, { 'http.route': route });
      const { traceId, spanId } = span.spanContext();
      recorded.push({ route, value, traceId, spanId });
    });
  }
  // Measurements outside spans count but offer no exemplar.
  for (let i = 0; i < 10; i++) {
    histogram.record(0.003, { 'http.route': '/checkout' });
    recorded.push({ route: '/checkout', value: 0.003, traceId: '', spanId: '' });
  }

  const handler = metricsRequestHandler(metrics);
  app = createServer((request, response) => {
    scrapes.push({ path: request.url ?? '', accept: request.headers.accept ?? '' });
    handler(request, response);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const address = app.address();
  const appPort = typeof address === 'object' && address !== null ? address.port : 0;
  appUrl = `http://127.0.0.1:${appPort}`;

  dataDir = await mkdtemp(join(tmpdir(), 'plumbline-prometheus-'));
  const config = join(dataDir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: app',
      '    scrape_interval: 1s',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${appPort}']`,
      // The same app read as classic Prometheus text: Prometheus 3 must store the same le values.
      '  - job_name: app-text',
      '    scrape_interval: 1s',
      '    params: { format: [text] }',
      '    scrape_protocols: [PrometheusText0.0.4]',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${appPort}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = startProcess(PROMETHEUS, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--enable-feature=exemplar-storage',
  ]);
  try {
    await waitFor(
      'Prometheus to be ready',
      async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined),
      60_000,
    );
    const total = recorded.length;
    await waitFor(
      'the first scrape with every measurement',
      async () => {
        const result = await instant(`sum by (job) (${METRIC}_count)`);
        return result.length === 2 && result.every((r) => Number(r.value[1]) === total) ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    throw new Error(`${String(error)}\nPrometheus output:\n${prometheus.output().slice(-4000)}`);
  }
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
  tracing?.close();
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
});

describe('Prometheus scraping plumbline (OpenMetrics, exemplar storage)', () => {
  it('negotiates OpenMetrics with Prometheus 3 by default, and the classic text format when the job asks for it', async () => {
    const openMetrics = scrapes.filter((s) => s.path === '/metrics');
    const text = scrapes.filter((s) => s.path === '/metrics?format=text');
    expect(openMetrics.length).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
    // The answer to exactly the Accept header Prometheus 3 sent, for each kind of scrape.
    const answeredType = async (accept: string) =>
      (await fetch(`${appUrl}/metrics`, { headers: { accept } })).headers.get('content-type') ?? '';
    for (const accept of new Set(openMetrics.map((s) => s.accept))) {
      expect(negotiateFormat(accept), accept).toBe('openmetrics');
      expect(await answeredType(accept)).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    }
    for (const accept of new Set(text.map((s) => s.accept))) {
      expect(negotiateFormat(accept), accept).toBe('prometheus');
      expect(await answeredType(accept)).toMatch(/^text\/plain; version=0\.0\.4/);
    }
  });

  it('stores bucket counts equal to what was recorded, under the le spelling formatPrometheusFloat gives, in either format', async () => {
    for (const [job, route] of ['app', 'app-text'].flatMap((j) =>
      ['/checkout', '/search'].map((r) => [j, r]),
    )) {
      const series = await instant(`${METRIC}_bucket{job="${job}",http_route="${route}"}`);
      const byLe = new Map(series.map((s) => [s.metric.le!, Number(s.value[1])]));
      const expected = expectedCumulative(route);
      const les = [...BOUNDARIES, Infinity].map(formatPrometheusFloat);
      expect([...byLe.keys()].sort()).toEqual([...les].sort());
      les.forEach((le, i) => expect(byLe.get(le), `${job} ${route} le=${le}`).toBe(expected[i]));
    }
    // The SLO threshold's bucket exists under exactly the spelling the rule generator writes, and
    // Prometheus 3 writes an integer boundary as 1.0 whichever format it read.
    const threshold = await instant(`${METRIC}_bucket{le="${formatPrometheusFloat(0.25)}"}`);
    expect(threshold).toHaveLength(4);
    expect(await instant(`${METRIC}_bucket{le="1.0"}`)).toHaveLength(4);
    expect(await instant(`${METRIC}_bucket{le="1"}`)).toHaveLength(0);
  });

  it('returns exemplars whose trace and span IDs are those of the spans that recorded them', async () => {
    const now = Date.now() / 1000;
    const data = (await api(
      `/api/v1/query_exemplars?query=${encodeURIComponent(`${METRIC}_bucket{job="app"}`)}&start=${now - 600}&end=${now + 60}`,
    )) as {
      seriesLabels: Record<string, string>;
      exemplars: { labels: Record<string, string>; value: string }[];
    }[];
    const exemplars = data.flatMap((series) =>
      series.exemplars.map((exemplar) => ({ series: series.seriesLabels, ...exemplar })),
    );
    // One per bucket that saw a sampled measurement: 10 buckets on /checkout and /search each at most.
    expect(exemplars.length).toBeGreaterThanOrEqual(12);
    const bySpan = new Map(recorded.filter((r) => r.traceId !== '').map((r) => [r.traceId, r]));
    for (const exemplar of exemplars) {
      const origin = bySpan.get(exemplar.labels.trace_id!);
      expect(
        origin,
        `exemplar trace_id ${exemplar.labels.trace_id} was made by one of the test's spans`,
      ).toBeDefined();
      expect(exemplar.labels.span_id).toBe(origin!.spanId);
      expect(Number(exemplar.value)).toBe(origin!.value);
      expect(exemplar.series.http_route).toBe(origin!.route);
      expect(markedTraces.has(origin!.traceId)).toBe(true);
    }
    // Each bucket keeps the newest measurement made inside a sampled span.
    for (const route of ['/checkout', '/search']) {
      const newestPerBucket = new Map<number, Recorded>();
      for (const r of recorded)
        if (r.route === route && r.traceId !== '') newestPerBucket.set(bucketOf(r.value), r);
      for (const [bucket, newest] of newestPerBucket) {
        const le = formatPrometheusFloat([...BOUNDARIES, Infinity][bucket]!);
        const match = exemplars.find((e) => e.series.http_route === route && e.series.le === le);
        expect(match?.labels.trace_id, `${route} le=${le}`).toBe(newest.traceId);
      }
    }
  });

  it('computes histogram_quantile exactly as the SDK helper does on the same buckets', async () => {
    const upperBounds = [...BOUNDARIES, Infinity];
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      for (const route of ['/checkout', '/search']) {
        const result = await instant(
          `histogram_quantile(${q}, ${METRIC}_bucket{job="app",http_route="${route}"})`,
        );
        expect(result).toHaveLength(1);
        const expected = histogramQuantile(q, upperBounds, expectedCumulative(route));
        expect(Number.isFinite(expected)).toBe(true);
        expect(Number(result[0]!.value[1]), `q=${q} ${route}`).toBe(expected);
      }
      const both = await instant(`histogram_quantile(${q}, sum by (le) (${METRIC}_bucket{job="app"}))`);
      const summed = expectedCumulative('/checkout').map(
        (count, i) => count + expectedCumulative('/search')[i]!,
      );
      expect(Number(both[0]!.value[1]), `q=${q} all routes`).toBe(histogramQuantile(q, upperBounds, summed));
    }
  });
});

// The live check and its test helper against a real service in this process: plumbline's
// createTelemetry behind node:http, scraped over HTTP, its log file followed, its OTLP received.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertConforms, checkUnderLoad, ConformanceError } from '../../src/check/index.js';
import { main } from '../../src/cli/main.js';
import { createTelemetry, type TelemetrySpec } from '../../src/index.js';
import { freePort } from '../support/process.js';
import { checkSpec, okRequest } from './check-spec.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'live-check-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Shop {
  readonly url: string;
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

let shops = 0;
/**
 * A small shop service; `drifted` loses the span context on its log line and two span attributes;
 * `oldRoute` also records the duration with `route`, a key the spec does not declare.
 */
async function startShop(
  logPath: string,
  otlpEndpoint: string | undefined,
  drifted = false,
  port = 0,
  oldRoute = false,
): Promise<Shop> {
  shops++;
  const telemetry = createTelemetry(checkSpec, {
    logDestination: logPath,
    ...(otlpEndpoint === undefined ? { otlpLogs: false } : { otlpEndpoint }),
    tailSampling: false,
  });
  const duration = telemetry.metrics.histogram('http.server.request.duration');
  const orders = telemetry.metrics.counter('shop.orders');
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') return telemetry.metricsHandler(req, res);
    const started = performance.now();
    const attributes = drifted
      ? { 'http.request.method': 'POST', 'http.route': '/orders' }
      : { ...okRequest, 'url.path': '/orders', tenant: 'acme' };
    const span = telemetry.tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, attributes });
    const ctx = trace.setSpan(context.active(), span);
    // Slow enough to land in an exemplar bucket now and then.
    setTimeout(() => {
      telemetry.log.event('order.placed', { order_id: `o-${shops}` }, drifted ? undefined : ctx);
      orders.add(1, { tenant: 'acme' });
      res.writeHead(201).end('ok');
      span.setAttribute('http.response.status_code', 201);
      duration.record(
        Math.max(0.11, (performance.now() - started) / 1000),
        oldRoute ? { ...okRequest, route: '/orders' } : okRequest,
        ctx,
      );
      span.end();
    }, 2);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    metricsUrl: `${url}/metrics`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await telemetry.shutdown();
    },
  };
}

async function placeOrders(url: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await fetch(`${url}/orders`, { method: 'POST' })).status).toBe(201);
}

describe('checkUnderLoad (the test helper)', () => {
  it('passes a conforming service under the test’s own load, over /metrics, the log file and OTLP', async () => {
    const logPath = join(dir, 'conforming.ndjson');
    const port = await freePort();
    const report = await checkUnderLoad({
      spec: checkSpec,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      logs: logPath,
      otlpListen: '127.0.0.1:0',
      scrapeIntervalMs: 100,
      load: async (check) => {
        const shop = await startShop(logPath, check.otlpEndpoint, false, port);
        await placeOrders(shop.url, 20);
        // A last scrape while it runs, then stop it: shutdown flushes spans, log records and metrics.
        await check.scrape();
        await shop.stop();
      },
    });
    expect(report.deviations).toEqual([]);
    expect(report.undeclaredAttributes).toEqual([]);
    expect(() => assertConforms(report)).not.toThrow();
    expect(report.observed.logLines).toBe(20);
    expect(report.observed.spans).toBe(20);
    expect(report.observed.logRecords).toBe(20);
    expect(report.observed.metricPoints).toBeGreaterThan(0);
    // Scrapes before the service listened failed; the later ones saw the spec's families.
    expect(report.observed.scrapes).toBeGreaterThan(0);
    expect(report.observed.metricFamilies).toBeGreaterThanOrEqual(3);
  });

  it('names a drifted service’s deviations and throws them as a table from assertConforms', async () => {
    const logPath = join(dir, 'drifted.ndjson');
    const report = await checkUnderLoad({
      spec: checkSpec,
      logs: logPath,
      otlpListen: '127.0.0.1:0',
      load: async (check) => {
        const shop = await startShop(logPath, check.otlpEndpoint, true);
        await placeOrders(shop.url, 5);
        await shop.stop();
      },
    });
    expect([...new Set(report.deviations.map((d) => `${d.kind} ${d.subject} (${d.source})`))]).toEqual([
      'missing-trace-id order.placed (logs)',
      'missing-trace-id order.placed (otlp-logs)',
      'sampling-key-missing POST /orders tenant (otlp-traces)',
      'span-attribute-missing POST /orders tenant (otlp-traces)',
      'semconv POST /orders url.path (otlp-traces)',
      'semconv POST /orders url.scheme (otlp-traces)',
    ]);
    expect(() => assertConforms(report)).toThrow(ConformanceError);
    expect(() => assertConforms(report)).toThrow(
      /sampling-key-missing +POST \/orders tenant +otlp-traces +5 /,
    );
  });
});

describe('attributes recorded that the spec does not declare', () => {
  it('lists them from /metrics with the series they made, and fails nothing (exemplar-only is allowed)', async () => {
    const logPath = join(dir, 'old-route.ndjson');
    const port = await freePort();
    const report = await checkUnderLoad({
      spec: checkSpec,
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      logs: logPath,
      scrapeIntervalMs: 100,
      load: async (check) => {
        const shop = await startShop(logPath, undefined, false, port, true);
        await placeOrders(shop.url, 5);
        await check.scrape();
        await shop.stop();
      },
    });
    expect(report.undeclaredAttributes).toEqual([
      { metric: 'http.server.request.duration', attribute: 'route', series: 1 },
    ]);
    expect(report.deviations).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('plumbline check live (CLI)', () => {
  it('reports JSON and exits 1 for a drifted spec, 0 for the spec the service was built from', async () => {
    const logPath = join(dir, 'cli.ndjson');
    const shop = await startShop(logPath, undefined);
    await placeOrders(shop.url, 5);
    const specPath = join(dir, 'spec.json');
    const driftedPath = join(dir, 'drifted.json');
    writeFileSync(specPath, JSON.stringify(checkSpec));
    const drifted = structuredClone(checkSpec) as unknown as {
      counters: Record<string, { attributes: string[] }>;
    };
    drifted.counters['shop.orders']!.attributes = [];
    writeFileSync(driftedPath, JSON.stringify(drifted as unknown as TelemetrySpec));
    const run = async (spec: string) => {
      let stdout = '';
      let stderr = '';
      const code = await main(
        [
          'check',
          'live',
          '--spec',
          spec,
          '--metrics',
          shop.metricsUrl,
          '--logs',
          logPath,
          '--duration',
          '300ms',
          '--json',
        ],
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
      );
      return { code, stdout, stderr };
    };
    const [ok, bad] = await Promise.all([run(specPath), run(driftedPath)]);
    await shop.stop();
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, deviations: [] });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).deviations).toEqual([
      expect.objectContaining({
        kind: 'undeclared-attribute',
        subject: 'shop.orders tenant',
        source: 'metrics',
      }),
    ]);
  });

  it('prints a table, and names bad flags with exit 2', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    const specPath = join(dir, 'spec-table.json');
    writeFileSync(specPath, JSON.stringify(checkSpec));
    expect(
      await main(
        [
          'check',
          'live',
          '--spec',
          specPath,
          '--metrics',
          'http://127.0.0.1:1/metrics',
          '--duration',
          '10ms',
        ],
        io,
      ),
    ).toBe(1);
    expect(stdout).toMatch(/^KIND +SUBJECT +SOURCE +COUNT +DETAIL$/m);
    expect(stdout).toMatch(/input-failed +http:\/\/127\.0\.0\.1:1\/metrics +metrics/);
    expect(
      await main(['check', 'live', '--spec', specPath, '--metrics', 'x', '--duration', 'soon'], io),
    ).toBe(2);
    expect(stderr).toMatch(/--duration: expected a duration such as 500ms/);
    expect(await main(['check', 'live', '--spec', specPath], io)).toBe(2);
    expect(stderr).toMatch(/--metrics <value> is required/);
    expect(await main(['check', 'dead'], io)).toBe(2);
  });
});

// Regression: the TLS files of OTLP export (OTEL_EXPORTER_OTLP_CERTIFICATE, CLIENT_CERTIFICATE,
// CLIENT_KEY and their METRICS_ forms) reached the span and log export but not the metric export,
// which is plumbline's own and posted with Node's fetch (which takes no CA or client certificate):
// against a collector with a private CA, or one asking for a client certificate, spans and logs
// went through while every metric export failed its TLS handshake (1 /v1/traces, 1 /v1/logs and
// 0 of 2 metric exports delivered, 2 counted failed). The metric export now reads them as the
// others do and posts through an https agent carrying them, within the same bounds (deadline,
// counted failures, the answer read as before). Real parts: a throwaway CA (openssl), a TLS
// server on 127.0.0.1, real HTTPS.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:https';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, OtlpJsonMetricExporter } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { issueCertificate, makeCertificateAuthority } from '../support/collector.js';
import { waitFor } from '../support/process.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
  counters: { 'shop.orders': { description: 'Orders placed.', unit: '{order}', attributes: [] } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_CLIENT_KEY',
  'OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY',
  'OTEL_EXPORTER_OTLP_LOGS_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_LOGS_CLIENT_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY',
  'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE',
  'OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY',
] as const;
type Variable = (typeof VARIABLES)[number];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function environment(values: Partial<Record<Variable, string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

interface Collector {
  readonly url: string;
  readonly ca: string;
  readonly client: { readonly cert: string; readonly key: string };
  /** Per path, the posts answered. */
  readonly posts: Record<string, number>;
  /** Connections open now. */
  readonly open: () => number;
}

/**
 * An HTTPS OTLP receiver on 127.0.0.1 with a certificate from a throwaway CA; `mutual`: it asks
 * for, and insists on, a client certificate from that CA. `answer` decides each post's answer
 * (undefined: never answered).
 */
async function collector(
  mutual: boolean,
  answer: (path: string) => string | undefined = () => '{}',
): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), 'plumbline-metric-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const ca = makeCertificateAuthority(dir, 'plumbline test CA');
  const leaf = issueCertificate(ca, { cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') });
  const client = issueCertificate(ca, { cert: join(dir, 'client.pem'), key: join(dir, 'client-key.pem') });
  const posts: Record<string, number> = {};
  const open = new Set<Socket>();
  const tls = { cert: readFileSync(leaf.cert), key: readFileSync(leaf.key) };
  const server = createTlsServer(
    mutual ? { ...tls, ca: readFileSync(ca.cert), requestCert: true, rejectUnauthorized: true } : tls,
    (request, response) => {
      request.resume();
      request.on('end', () => {
        const path = request.url ?? '';
        const body = answer(path);
        if (body === undefined) return;
        posts[path] = (posts[path] ?? 0) + 1;
        response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      });
    },
  );
  server.on('secureConnection', (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of open) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `https://127.0.0.1:${address.port}`, ca: ca.cert, client, posts, open: () => open.size };
}

/** The app under the environment given: a span, an event line and an order; flushed, shut down. */
async function exercise(): Promise<void> {
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    exportTimeoutMs: 2_000,
    registerGlobal: false,
  });
  cleanups.push(() => telemetry.shutdown());
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    telemetry.metrics.counter('shop.orders').add(1);
    span.end();
  });
  await telemetry.forceFlush();
  await telemetry.shutdown();
}

it('otlp-metric-export-ignores-tls-files: a private CA in OTEL_EXPORTER_OTLP_CERTIFICATE reaches the metric export', async () => {
  const sink = await collector(false);
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_CERTIFICATE: sink.ca });
  await exercise();
  // The flush's export and the shutdown's, as for the other signals over the same files.
  expect(sink.posts).toEqual({ '/v1/traces': 1, '/v1/logs': 1, '/v1/metrics': 2 });
});

it('otlp-metric-export-ignores-tls-files: mutual TLS with the METRICS_ variables over the general ones', async () => {
  const sink = await collector(true);
  const other = await collector(true);
  // The general variables name another CA's files, which this collector refuses; the signals'
  // own name the right ones.
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_CERTIFICATE: other.ca,
    OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: other.client.cert,
    OTEL_EXPORTER_OTLP_CLIENT_KEY: other.client.key,
    ...Object.fromEntries(
      ['TRACES', 'METRICS', 'LOGS'].flatMap((signal) => [
        [`OTEL_EXPORTER_OTLP_${signal}_CERTIFICATE`, sink.ca],
        [`OTEL_EXPORTER_OTLP_${signal}_CLIENT_CERTIFICATE`, sink.client.cert],
        [`OTEL_EXPORTER_OTLP_${signal}_CLIENT_KEY`, sink.client.key],
      ]),
    ),
  });
  await exercise();
  expect(sink.posts).toEqual({ '/v1/traces': 1, '/v1/logs': 1, '/v1/metrics': 2 });
  expect(other.posts).toEqual({});
});

/** An empty export, as a PeriodicExportingMetricReader hands one over. */
function emptyMetrics(): ResourceMetrics {
  return { resource: { attributes: {} }, scopeMetrics: [] } as unknown as ResourceMetrics;
}

function exported(exporter: OtlpJsonMetricExporter): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(emptyMetrics(), resolve));
}

it("otlp-metric-export-ignores-tls-files: over TLS the exporter keeps its bounds and reads the collector's answer", async () => {
  const partial = '{"partialSuccess":{"rejectedDataPoints":"3","errorMessage":"no"}';
  const sink = await collector(true, (path) =>
    path === '/silent'
      ? undefined
      : // Over the 4 MiB the exporter reads of an answer: left unread, its partial success unseen.
        path === '/big'
        ? `${partial},"padding":"${'x'.repeat(5 * 1024 * 1024)}"}`
        : `${partial}}`,
  );
  const tls = {
    ca: readFileSync(sink.ca),
    cert: readFileSync(sink.client.cert),
    key: readFileSync(sink.client.key),
  };
  // Accepted with a partial success: read from the answer's body, counted.
  const answered = new OtlpJsonMetricExporter({ endpoint: sink.url, tls });
  expect((await exported(answered)).code).toBe(ExportResultCode.SUCCESS);
  expect(answered.rejectedDataPoints).toBe(3);
  await answered.shutdown();
  const big = new OtlpJsonMetricExporter({ endpoint: sink.url, url: `${sink.url}/big`, tls });
  expect((await exported(big)).code).toBe(ExportResultCode.SUCCESS);
  expect(big.rejectedDataPoints).toBe(0);
  await big.shutdown();

  // Never answered: failed at the export's deadline as a timeout, counted; its request ended.
  const failures: string[] = [];
  const silent = new OtlpJsonMetricExporter({
    endpoint: sink.url,
    url: `${sink.url}/silent`,
    tls,
    timeoutMillis: 300,
    maxAttempts: 1,
    failures: { add: (_value, labels) => failures.push(labels.reason ?? '') },
  });
  const result = await exported(silent);
  expect(result.code).toBe(ExportResultCode.FAILED);
  expect(result.error?.name).toBe('TimeoutError');
  expect({ failedExports: silent.failedExports, failures }).toEqual({
    failedExports: 1,
    failures: ['timeout'],
  });
  await silent.shutdown();
  // The server sees the connection go (a close travels from the client's side to it).
  await waitFor('the connection closed', () => (sink.open() === 0 ? true : undefined), 2_000, 20).catch(
    () => undefined,
  );
  expect(sink.open(), 'connections left open after shutdown').toBe(0);
});

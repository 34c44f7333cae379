// The plumbline collector for tests, and a tier of them on loopback. The binary: scripts/build-collector.sh builds it once per
// machine (cached outside the clone), through scripts/peer.sh otelcol and the global setup.
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect as connectHttp2 } from 'node:http2';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { peerBinary } from './peers.js';
import { freePort, startProcess, waitFor, type RunningProcess } from './process.js';

/** The collector's binary (the global setup builds it; see test/support/peers.ts). */
export function collectorBinary(): Promise<string> {
  return Promise.resolve().then(() => peerBinary('otelcol'));
}

// ---- a collector tier on loopback: certificates, processes, their metrics and trace files ----

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const runOpenssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A self-signed CA certificate at `cert` with a fresh P-256 key at `key`, valid for `days`. */
function selfSignedCa(cert: string, key: string, commonName: string, days: number): void {
  runOpenssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    String(days),
    '-subj',
    `/CN=${commonName}`,
    '-keyout',
    key,
    '-out',
    cert,
  );
}

/**
 * A fresh P-256 key at `key` and a signing request for CN 127.0.0.1 at `csr`, with `ext` holding
 * the leaf extensions (SAN 127.0.0.1/localhost, server and client use) to sign it with.
 */
function requestLeaf(key: string, csr: string, ext: string): void {
  runOpenssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    key,
    '-out',
    csr,
  );
  writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
}

/** A throwaway CA and one leaf (server and client use, SAN 127.0.0.1/localhost) made with openssl. */
export function makeTlsFiles(dir: string): TlsFiles {
  const files = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    cert: join(dir, 'cert.pem'),
    key: join(dir, 'key.pem'),
  };
  const csr = join(dir, 'leaf.csr');
  const ext = join(dir, 'leaf.ext');
  selfSignedCa(files.ca, files.caKey, 'plumbline test CA', 1);
  requestLeaf(files.key, csr, ext);
  runOpenssl(
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    files.ca,
    '-CAkey',
    files.caKey,
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    ext,
    '-out',
    files.cert,
  );
  return { ca: files.ca, cert: files.cert, key: files.key };
}

export interface CollectorProcess {
  readonly name: string;
  readonly process: RunningProcess;
  readonly env: Readonly<Record<string, string>>;
  readonly metricsUrl: string;
  /** agent/single: where the apps' OTLP metrics are served for Prometheus (OpenMetrics when asked). */
  readonly appMetricsUrl: string;
}

/** Starts the collector on `configPath` with `env` (and extra flags), waits for its health_check to answer. */
export async function startCollector(
  name: string,
  binary: string,
  configPath: string,
  env: Record<string, string>,
  extraArgs: readonly string[] = [],
): Promise<CollectorProcess> {
  const healthPort = await freePort();
  const metricsPort = await freePort();
  const fullEnv: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    PLUMBLINE_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    PLUMBLINE_METRICS_HOST: '127.0.0.1',
    PLUMBLINE_METRICS_PORT: String(metricsPort),
    // A free port, not the files' 0.0.0.0:9464: agents of tests running side by side must not collide.
    PLUMBLINE_APP_METRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
    ...env,
  };
  const running = startProcess(binary, [`--config=file:${configPath}`, ...extraArgs], { env: fullEnv });
  try {
    await waitFor(
      `${name} health_check`,
      async () => {
        if (running.child.exitCode !== null)
          throw new Error(`${name} exited with ${running.child.exitCode}:\n${running.output().slice(-3000)}`);
        const response = await fetch(`http://127.0.0.1:${healthPort}/`);
        return response.ok ? true : undefined;
      },
      20_000,
    );
  } catch (error) {
    await running.stop();
    throw new Error(`${String(error)}\n--- ${name} output ---\n${running.output().slice(-3000)}`);
  }
  return {
    name,
    process: running,
    env: fullEnv,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    appMetricsUrl: `http://${fullEnv['PLUMBLINE_APP_METRICS_ENDPOINT']}/metrics`,
  };
}

/** Restarts a stopped collector with the same ports, optionally overriding some variables. */
export async function restartCollector(
  previous: CollectorProcess,
  binary: string,
  configPath: string,
  overrides: Record<string, string>,
): Promise<CollectorProcess> {
  const env = { ...previous.env, ...overrides };
  const running = startProcess(binary, [`--config=file:${configPath}`], { env });
  const health = `http://${env['PLUMBLINE_HEALTH_ENDPOINT']}/`;
  await waitFor(
    `${previous.name} health_check after restart`,
    async () => {
      if (running.child.exitCode !== null)
        throw new Error(`${previous.name} exited:\n${running.output().slice(-3000)}`);
      return (await fetch(health)).ok ? true : undefined;
    },
    20_000,
  );
  return { ...previous, process: running, env };
}

/** Sum of a metric's samples (Prometheus text format) whose labels contain every `labels` pair. */
export function metricSum(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([key, value]) => rest.includes(`${key}="${value}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

export async function scrape(collector: CollectorProcess): Promise<string> {
  const response = await fetch(collector.metricsUrl);
  if (!response.ok) throw new Error(`${collector.metricsUrl}: HTTP ${response.status}`);
  return response.text();
}

/** Spans per trace ID in a file exporter's JSON-lines output (OTLP JSON, hex IDs). */
export function spansByTrace(path: string): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(path)) return counts;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as {
      resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ traceId: string }> }> }>;
    };
    for (const resource of request.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/**
 * Waits until a tail-sampling collector has decided `traces` traces and its file exporter holds
 * every kept one (the batch processor and the file exporter each wait up to 1 s); returns the kept
 * traces' span counts by trace ID, as spansByTrace reads them.
 */
export async function keptTraces(
  collector: CollectorProcess,
  traceFile: string,
  traces: number,
): Promise<Map<string, number>> {
  const counted = 'otelcol_processor_tail_sampling_global_count_traces_sampled';
  const sampled = await waitFor(
    'a decision for every probe trace',
    async () => {
      const text = await scrape(collector);
      return (metricSum(text, counted) ?? 0) >= traces
        ? (metricSum(text, counted, { sampled: 'true' }) ?? 0)
        : undefined;
    },
    30_000,
    250,
  );
  await waitFor(
    'every kept probe trace in the trace file',
    () => (spansByTrace(traceFile).size >= sampled ? true : undefined),
    10_000,
    250,
  );
  return spansByTrace(traceFile);
}

/** One log record as the file exporter writes it (OTLP JSON): what the tests look at. */
export interface ExportedLogRecord {
  readonly traceId: string;
  readonly eventName: string;
  readonly severityText: string;
  readonly serviceName: string;
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** The log records in a file exporter's JSON-lines output (OTLP JSON, hex IDs; '' when none). */
export function logRecordsIn(path: string): ExportedLogRecord[] {
  type KeyValue = { key: string; value: Record<string, unknown> };
  const plain = (attributes: KeyValue[] | undefined) =>
    Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, Object.values(value)[0]]));
  const records: ExportedLogRecord[] = [];
  if (!existsSync(path)) return records;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const request = JSON.parse(line) as {
      resourceLogs?: Array<{
        resource?: { attributes?: KeyValue[] };
        scopeLogs?: Array<{
          logRecords?: Array<{
            traceId?: string;
            eventName?: string;
            severityText?: string;
            attributes?: KeyValue[];
          }>;
        }>;
      }>;
    };
    for (const resource of request.resourceLogs ?? []) {
      const serviceName = String(plain(resource.resource?.attributes)['service.name'] ?? '');
      for (const scope of resource.scopeLogs ?? []) {
        for (const record of scope.logRecords ?? []) {
          records.push({
            traceId: record.traceId ?? '',
            eventName: record.eventName ?? '',
            severityText: record.severityText ?? '',
            serviceName,
            attributes: plain(record.attributes),
          });
        }
      }
    }
  }
  return records;
}

// ---- certificates that rotate: a CA that issues many leaves, with chosen validity, and probes ----

export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateAuthority extends TlsPair {
  /** The openssl `ca` config (and its database) that issues leaves signed by this CA. */
  readonly config: string;
}

/** openssl's UTCTime spelling (YYMMDDHHMMSSZ) of a date. */
function opensslTime(date: Date): string {
  return `${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`;
}

/** A throwaway CA in `dir` (created if missing) that `issueCertificate` signs leaves with. */
export function makeCertificateAuthority(dir: string, commonName: string): CertificateAuthority {
  mkdirSync(dir, { recursive: true });
  const ca = { cert: join(dir, 'ca.pem'), key: join(dir, 'ca-key.pem'), config: join(dir, 'ca.cnf') };
  selfSignedCa(ca.cert, ca.key, commonName, 2);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(
    ca.config,
    [
      '[ca]',
      'default_ca = throwaway',
      '[throwaway]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'new_certs_dir = $dir',
      'rand_serial = yes',
      'unique_subject = no',
      'default_md = sha256',
      'policy = any_name',
      '[any_name]',
      'commonName = supplied',
      '',
    ].join('\n'),
  );
  return ca;
}

let issued = 0;

/**
 * A leaf for 127.0.0.1/localhost usable as server and client certificate, signed by `ca`, with
 * a fresh key and serial. `notAfter` (default: a day from now) lets a test make the old
 * certificate of a rotation expire, so only the new one can complete a handshake afterwards.
 */
export function issueCertificate(
  ca: CertificateAuthority,
  target: TlsPair,
  options: { readonly notAfter?: Date } = {},
): TlsPair {
  issued += 1;
  const scratch = `${target.cert}.issue-${issued}`;
  requestLeaf(target.key, `${scratch}.csr`, `${scratch}.ext`);
  runOpenssl(
    'ca',
    '-batch',
    '-notext',
    '-config',
    ca.config,
    '-cert',
    ca.cert,
    '-keyfile',
    ca.key,
    '-startdate',
    // An hour back: clocks of the peers need not agree to the second.
    opensslTime(new Date(Date.now() - 3_600_000)),
    '-enddate',
    opensslTime(options.notAfter ?? new Date(Date.now() + 86_400_000)),
    '-extfile',
    `${scratch}.ext`,
    '-in',
    `${scratch}.csr`,
    '-out',
    target.cert,
  );
  return target;
}

/**
 * Puts `source`'s key and certificate in place of `target`'s the way a rotation does: each file
 * written beside its target and renamed over it (key first), so a reader never sees half a file.
 */
export function installTlsPair(source: TlsPair, target: TlsPair): void {
  for (const [from, to] of [
    [source.key, target.key],
    [source.cert, target.cert],
  ] as const) {
    const staging = `${to}.staging`;
    writeFileSync(staging, readFileSync(from));
    renameSync(staging, to);
  }
}

/** SHA-256 fingerprint of a PEM certificate, spelled as node:tls's getPeerCertificate() does. */
export function certificateFingerprint(certPath: string): string {
  return new X509Certificate(readFileSync(certPath)).fingerprint256;
}

export type OtlpGrpcProbe =
  | { readonly accepted: true; readonly grpcStatus: string; readonly serverFingerprint: string }
  | { readonly accepted: false; readonly reason: string; readonly serverFingerprint?: string };

/**
 * One OTLP gRPC Export call with an empty request over TLS to `port` on 127.0.0.1, as an agent
 * would make it, with or without a client certificate. Accepted means the TLS handshake, the
 * HTTP/2 request and the gRPC call all succeeded; otherwise `reason` says what failed (with
 * TLS 1.3 the server refuses a client certificate after the client's side of the handshake, so
 * the refusal arrives as an alert on the connection).
 */
export function probeOtlpGrpc(
  port: number,
  tls: { readonly ca: string; readonly cert?: string; readonly key?: string },
  timeoutMs = 5_000,
): Promise<OtlpGrpcProbe> {
  return new Promise((resolve) => {
    let serverFingerprint: string | undefined;
    let httpStatus: number | undefined;
    let grpcStatus: string | undefined;
    let settled = false;
    const session = connectHttp2(`https://127.0.0.1:${port}`, {
      ca: readFileSync(tls.ca),
      ...(tls.cert === undefined ? {} : { cert: readFileSync(tls.cert) }),
      ...(tls.key === undefined ? {} : { key: readFileSync(tls.key) }),
    });
    const finish = (result: OtlpGrpcProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(result);
    };
    const refuse = (reason: string) =>
      finish({ accepted: false, reason, ...(serverFingerprint === undefined ? {} : { serverFingerprint }) });
    const timer = setTimeout(() => refuse(`no answer within ${timeoutMs} ms`), timeoutMs);
    const describeError = (error: Error & { code?: string }) => `${error.code ?? 'error'}: ${error.message}`;
    session.on('connect', () => {
      serverFingerprint = (session.socket as TLSSocket).getPeerCertificate().fingerprint256;
    });
    session.on('error', (error) => refuse(describeError(error)));
    const request = session.request({
      ':method': 'POST',
      ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    request.on('response', (headers) => {
      httpStatus = Number(headers[':status']);
      // A trailers-only answer carries grpc-status in the headers.
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    request.on('trailers', (trailers) => {
      if (trailers['grpc-status'] !== undefined) grpcStatus = String(trailers['grpc-status']);
    });
    request.on('error', (error) => refuse(describeError(error)));
    request.on('close', () => {
      if (httpStatus === 200 && grpcStatus === '0' && serverFingerprint !== undefined) {
        finish({ accepted: true, grpcStatus, serverFingerprint });
      } else {
        refuse(`closed with HTTP ${httpStatus ?? 'none'}, grpc-status ${grpcStatus ?? 'none'}`);
      }
    });
    request.resume();
    // An empty ExportTraceServiceRequest: gRPC frame header (not compressed, length 0).
    request.end(Buffer.alloc(5));
  });
}

/** Records what every export call of the app returned. */
export class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * An app's tracing into the agent's OTLP/HTTP port: in-process sampling off (every span goes to
 * the agent, the collectors decide), batched, every export's result recorded.
 */
export function tracingToAgent(
  serviceName: string,
  agentHttpPort: number,
): { readonly provider: NodeTracerProvider; readonly exporter: RecordingExporter } {
  const exporter = new RecordingExporter(
    new OTLPTraceExporter({ url: `http://127.0.0.1:${agentHttpPort}/v1/traces` }),
  );
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler: new AlwaysOnSampler(),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: 20_000,
        maxExportBatchSize: 500,
        scheduledDelayMillis: 100,
      }),
    ],
  });
  return { provider, exporter };
}

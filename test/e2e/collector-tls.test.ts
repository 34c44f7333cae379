// Mutual TLS between the tiers, rotated under load: an OTel SDK app → the committed agent.yaml →
// a generated gateway (file backend, keeps every trace) on loopback, with a throwaway CA. Both
// collectors' certificates are replaced mid-run by new files from the same CA, and the first
// certificates expire a few seconds later; spans keep flowing and none is lost, which the old
// certificates alone could not do. Then clients without a valid certificate knock and are refused.
import { ExportResultCode } from '@opentelemetry/core';
import { context, trace, type Tracer } from '@opentelemetry/api';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import {
  certificateFingerprint,
  collectorBinary,
  installTlsPair,
  issueCertificate,
  makeCertificateAuthority,
  metricSum,
  probeOtlpGrpc,
  scrape,
  spansByTrace,
  startCollector,
  tracingToAgent,
  type CertificateAuthority,
  type CollectorProcess,
  type RecordingExporter,
  type TlsPair,
} from '../support/collector.js';
import { freePort, waitFor } from '../support/process.js';

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** No sampling section: the gateway keeps every trace (always_sample), so every span must arrive. */
const keepAllSpec: TelemetrySpec = { service: { name: 'collector-tls' }, events: {} };

const SPANS_PER_TRACE = 2;
const RELOAD_INTERVAL_SECONDS = 1;
const MAX_CONNECTION_AGE_SECONDS = 2;
/** The generated max_connection_age_grace; gRPC adds up to 10 % jitter to the age. */
const MAX_CONNECTION_AGE_GRACE_SECONDS = 10;
/** How long the first certificates live, counted from their issue at the start of the run. */
const FIRST_CERTIFICATES_SECONDS = 20;

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** A steady stream of numbered traces; remembers when each was sent. */
class TraceStream {
  readonly sent: Array<{ readonly traceId: string; readonly sentAt: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly tracer: Tracer) {}

  start(tracesPerTick: number, tickMs: number): void {
    this.timer = setInterval(() => {
      for (let index = 0; index < tracesPerTick; index += 1) this.emit();
    }, tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private emit(): void {
    const sequence = this.sent.length;
    const root = this.tracer.startSpan('GET /rotate', {
      root: true,
      attributes: { 'http.route': '/rotate', 'tls.sequence': sequence },
    });
    const child = this.tracer.startSpan('step', {}, trace.setSpan(context.active(), root));
    child.end();
    root.end();
    this.sent.push({ traceId: root.spanContext().traceId, sentAt: Date.now() });
  }
}

describe('generated configs: TLS on by default, reloaded certificates', () => {
  it('agent and gateway use mutual TLS with a reload interval and connection age from the environment', async () => {
    const agent = parse(await readFile('collector/agent.yaml', 'utf8')) as Yaml;
    const gateway = parse(await readFile('collector/gateway.yaml', 'utf8')) as Yaml;
    const clientTls = agent['exporters']['load_balancing']['protocol']['otlp']['tls'];
    expect(clientTls['insecure']).toBeUndefined();
    expect(clientTls['reload_interval']).toBe('${env:PLUMBLINE_TLS_RELOAD_INTERVAL:-5m}');
    const grpc = gateway['receivers']['otlp']['protocols']['grpc'];
    expect(grpc['tls']['reload_interval']).toBe('${env:PLUMBLINE_TLS_RELOAD_INTERVAL:-5m}');
    expect(grpc['tls']['client_ca_file']).toBe('${env:PLUMBLINE_TLS_CA_FILE:-/etc/plumbline/tls/ca.pem}');
    expect(grpc['keepalive']['server_parameters']).toEqual({
      max_connection_age: '${env:PLUMBLINE_GATEWAY_MAX_CONNECTION_AGE:-1h}',
      max_connection_age_grace: `${MAX_CONNECTION_AGE_GRACE_SECONDS}s`,
    });
  });

  it('writes the opt-out where a reviewer sees it: insecure: true on the agent, no tls and no forced reconnects on the gateway', () => {
    const files = generateCollectorConfigs(keepAllSpec, { tls: false });
    const agent = parse(files['agent.yaml']) as Yaml;
    const gateway = parse(files['gateway.yaml']) as Yaml;
    expect(agent['exporters']['load_balancing']['protocol']['otlp']['tls']).toEqual({ insecure: true });
    expect(files['agent.yaml']).toContain('tls=false');
    expect(gateway['receivers']['otlp']['protocols']['grpc']['tls']).toBeUndefined();
    expect(gateway['receivers']['otlp']['protocols']['grpc']['keepalive']).toBeUndefined();
    expect(files['gateway.yaml']).not.toContain('PLUMBLINE_TLS_RELOAD_INTERVAL');
  });
});

describe('agent → gateway over mutual TLS on loopback, certificates rotated mid-run', () => {
  let dir: string;
  let ca: CertificateAuthority;
  let gateway: CollectorProcess;
  let agent: CollectorProcess;
  let gatewayPort: number;
  let traceFile: string;
  let provider: NodeTracerProvider;
  let exporter: RecordingExporter;
  let stream: TraceStream;
  /** Where each collector reads its certificate and key; rotation renames new files over them. */
  let gatewayFiles: TlsPair;
  let agentFiles: TlsPair;
  /** A copy of the agent's first certificate, kept to show the gateway refuses it once expired. */
  let firstAgentCopy: TlsPair;
  /** Another client of the same CA, valid throughout: the probe that must get in. */
  let probeClient: TlsPair;
  let firstExpiry: Date;

  beforeAll(async () => {
    const binary = await collectorBinary();
    dir = await mkdtemp(join(tmpdir(), 'plumbline-tls-'));
    ca = makeCertificateAuthority(join(dir, 'ca'), 'plumbline rotation test CA');
    firstExpiry = new Date(Date.now() + FIRST_CERTIFICATES_SECONDS * 1000);
    gatewayFiles = issueCertificate(
      ca,
      { cert: join(dir, 'gateway-cert.pem'), key: join(dir, 'gateway-key.pem') },
      { notAfter: firstExpiry },
    );
    agentFiles = issueCertificate(
      ca,
      { cert: join(dir, 'agent-cert.pem'), key: join(dir, 'agent-key.pem') },
      { notAfter: firstExpiry },
    );
    firstAgentCopy = { cert: join(dir, 'agent-first-cert.pem'), key: join(dir, 'agent-first-key.pem') };
    await writeFile(firstAgentCopy.cert, await readFile(agentFiles.cert));
    await writeFile(firstAgentCopy.key, await readFile(agentFiles.key));
    probeClient = issueCertificate(ca, {
      cert: join(dir, 'probe-cert.pem'),
      key: join(dir, 'probe-key.pem'),
    });

    const gatewayConfig = join(dir, 'gateway.yaml');
    await writeFile(
      gatewayConfig,
      generateCollectorConfigs(keepAllSpec, {
        gatewayCount: 1,
        spansPerTrace: SPANS_PER_TRACE,
        traceBackend: 'file',
        decisionWaitSeconds: 2,
      })['gateway.yaml'],
    );
    gatewayPort = await freePort();
    traceFile = join(dir, 'traces.jsonl');
    const reload = { PLUMBLINE_TLS_RELOAD_INTERVAL: `${RELOAD_INTERVAL_SECONDS}s` };
    gateway = await startCollector(
      'gateway',
      binary,
      gatewayConfig,
      {
        ...reload,
        PLUMBLINE_TLS_CA_FILE: ca.cert,
        PLUMBLINE_TLS_CERT_FILE: gatewayFiles.cert,
        PLUMBLINE_TLS_KEY_FILE: gatewayFiles.key,
        PLUMBLINE_GATEWAY_MAX_CONNECTION_AGE: `${MAX_CONNECTION_AGE_SECONDS}s`,
        PLUMBLINE_GATEWAY_OTLP_GRPC_ENDPOINT: `127.0.0.1:${gatewayPort}`,
        PLUMBLINE_TRACE_FILE: traceFile,
        PLUMBLINE_LOG_FILE: join(dir, 'logs.jsonl'),
        PLUMBLINE_SPANMETRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
      },
      // Debug logs make grpc report refused handshakes with the peer's address and the reason.
      ['--set=service.telemetry.logs.level=debug'],
    );

    // The agent: the committed file as shipped, only environment set.
    const agentHttpPort = await freePort();
    agent = await startCollector('agent', binary, resolve('collector/agent.yaml'), {
      ...reload,
      PLUMBLINE_TLS_CA_FILE: ca.cert,
      PLUMBLINE_TLS_CERT_FILE: agentFiles.cert,
      PLUMBLINE_TLS_KEY_FILE: agentFiles.key,
      PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
      PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${agentHttpPort}`,
      PLUMBLINE_GATEWAY_ENDPOINTS: `[127.0.0.1:${gatewayPort}]`,
    });

    ({ provider, exporter } = tracingToAgent('collector-tls', agentHttpPort));
    stream = new TraceStream(provider.getTracer('collector-tls'));
  }, 120_000);

  afterAll(async () => {
    stream?.stop();
    await provider?.shutdown().catch(() => undefined);
    await agent?.process.stop();
    await gateway?.process.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const arrived = () => spansByTrace(traceFile);
  const probe = (client: Partial<TlsPair>) => probeOtlpGrpc(gatewayPort, { ca: ca.cert, ...client });

  it('loses no span while both certificates rotate, and only the new certificates are in use afterwards', async () => {
    const firstGatewayFingerprint = certificateFingerprint(gatewayFiles.cert);
    const firstProbe = await probe(probeClient);
    expect(firstProbe).toMatchObject({ accepted: true, serverFingerprint: firstGatewayFingerprint });

    stream.start(10, 100);
    await waitFor(
      'the first traces at the gateway while the first certificates are valid',
      () => (arrived().size > 0 ? true : undefined),
      Math.max(1, firstExpiry.getTime() - Date.now() - 1_000),
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)} (the collectors took longer to start than FIRST_CERTIFICATES_SECONDS allows?)\n` +
          `--- agent ---\n${agent.process.output().slice(-3000)}`,
      );
    });

    // Rotation: new keys and certificates from the same CA, renamed over the files in use.
    const nextGateway = issueCertificate(ca, {
      cert: join(dir, 'gateway-next-cert.pem'),
      key: join(dir, 'gateway-next-key.pem'),
    });
    const nextAgent = issueCertificate(ca, {
      cert: join(dir, 'agent-next-cert.pem'),
      key: join(dir, 'agent-next-key.pem'),
    });
    installTlsPair(nextGateway, gatewayFiles);
    installTlsPair(nextAgent, agentFiles);
    const nextGatewayFingerprint = certificateFingerprint(nextGateway.cert);
    expect(nextGatewayFingerprint).not.toBe(firstGatewayFingerprint);

    // The gateway presents the new certificate once the reload interval has passed — no restart.
    const rotatedProbe = await waitFor(
      'the gateway presenting its rotated certificate',
      async () => {
        const result = await probe(probeClient);
        return result.accepted && result.serverFingerprint === nextGatewayFingerprint ? result : undefined;
      },
      15_000,
      250,
    );
    expect(rotatedProbe.grpcStatus).toBe('0');

    // Every connection opened before the first certificates expired is closed by max_connection_age
    // (+10 % jitter) + grace after it; traces sent later cross a handshake made after the expiry, in
    // which an agent or gateway still on its first certificate would be refused.
    const onlyNewCertificatesAfter =
      firstExpiry.getTime() +
      (MAX_CONNECTION_AGE_SECONDS * 1.1 + MAX_CONNECTION_AGE_GRACE_SECONDS + 1) * 1000;
    await pause(Math.max(0, onlyNewCertificatesAfter - Date.now()) + 2_000);
    stream.stop();
    await provider.forceFlush();
    expect((await probe(firstAgentCopy)).accepted, 'the first agent certificate, now expired').toBe(false);

    const sent = stream.sent;
    const provingTraces = sent.filter((entry) => entry.sentAt > onlyNewCertificatesAfter);
    expect(provingTraces.length).toBeGreaterThan(0);
    await waitFor(
      'every sent trace at the gateway',
      () => {
        const file = arrived();
        return sent.every((entry) => file.get(entry.traceId) === SPANS_PER_TRACE) ? true : undefined;
      },
      30_000,
      500,
    ).catch((error: unknown) => {
      const file = arrived();
      const missing = sent.filter((entry) => file.get(entry.traceId) !== SPANS_PER_TRACE);
      throw new Error(
        `${missing.length} of ${sent.length} traces incomplete (first missing sent ${
          (missing[0]?.sentAt ?? 0) - firstExpiry.getTime()
        } ms after the first certificates expired): ${String(error)}\n--- agent ---\n${agent.process
          .output()
          .slice(-3000)}`,
      );
    });

    // Exactly what was sent arrived: no span lost, none duplicated by a retry.
    const file = arrived();
    const spansArrived = [...file.values()].reduce((sum, count) => sum + count, 0);
    expect(spansArrived).toBe(sent.length * SPANS_PER_TRACE);
    expect(exporter.results.every((result) => result.code === ExportResultCode.SUCCESS)).toBe(true);
    const agentMetrics = await scrape(agent);
    expect(metricSum(agentMetrics, 'otelcol_exporter_send_failed_spans') ?? 0).toBe(0);
    expect(metricSum(agentMetrics, 'otelcol_loadbalancer_backend_outcome', { success: 'false' }) ?? 0).toBe(
      0,
    );
  }, 90_000);

  it('refuses a client without a certificate, with one from another CA, and with an expired one, and logs each', async () => {
    const accepted = await probe(probeClient);
    expect(accepted.accepted).toBe(true);

    const strangerCa = makeCertificateAuthority(join(dir, 'stranger-ca'), 'some other CA');
    const stranger = issueCertificate(strangerCa, {
      cert: join(dir, 'stranger-cert.pem'),
      key: join(dir, 'stranger-key.pem'),
    });
    const refusals = {
      'no certificate': await probe({}),
      'another CA': await probe(stranger),
      expired: await probe(firstAgentCopy),
    };
    expect(refusals['no certificate']).toMatchObject({ accepted: false });
    expect(refusals['no certificate'].accepted ? '' : refusals['no certificate'].reason).toMatch(
      /CERTIFICATE_REQUIRED/,
    );
    expect(refusals['another CA'].accepted ? '' : refusals['another CA'].reason).toMatch(/UNKNOWN_CA/);
    expect(refusals.expired.accepted ? '' : refusals.expired.reason).toMatch(/CERTIFICATE_EXPIRED/);

    const log = await waitFor(
      'three refused handshakes in the gateway log',
      () => {
        const output = gateway.process.output();
        const lines = output.split('\n').filter((line) => line.includes('ServerHandshake('));
        return [
          "client didn't provide a certificate",
          'certificate signed by unknown authority',
          'certificate has expired',
        ].every((reason) => lines.some((line) => line.includes(reason)))
          ? lines
          : undefined;
      },
      5_000,
    );
    expect(log.length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

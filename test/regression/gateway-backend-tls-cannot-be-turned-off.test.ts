// Regression (topology trial): the generated gateway and single collectors sent to the trace and
// log backends over TLS with the system CAs, with no setting to turn it off: against a plaintext
// OTLP backend `otelcol validate` passed, the collector reported ready, and then logged
// "tls: first record does not look like a TLS handshake" for every batch while nothing arrived.
// PLUMBLINE_BACKEND_TLS_INSECURE=true now sends in plaintext (TLS stays the default). Real parts:
// the generated single.yaml on the real collector, an app's spans over OTLP/HTTP, and a second
// collector as the plaintext backend writing what it receives to a file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateCollectorConfigs } from '../../src/generate/collector/generate.js';
import type { TelemetrySpec } from '../../src/spec/types.js';
import {
  collectorBinary,
  spansByTrace,
  startCollector,
  tracingToAgent,
  type CollectorProcess,
} from '../support/collector.js';
import { freePort, waitFor } from '../support/process.js';

/** No sampling section: the collector keeps every trace. */
const spec: TelemetrySpec = { service: { name: 'backend-plaintext' }, events: {} };

const running: CollectorProcess[] = [];
let dir: string | undefined;
afterAll(async () => {
  for (const collector of running.reverse()) await collector.process.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A plaintext OTLP gRPC backend: a collector that writes every span it receives to a file. */
function backendConfig(grpcPort: number, file: string): string {
  return `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
exporters:
  file:
    path: ${file}
    flush_interval: 100ms
extensions:
  health_check:
    endpoint: \${env:PLUMBLINE_HEALTH_ENDPOINT}
service:
  extensions: [health_check]
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: \${env:PLUMBLINE_METRICS_HOST}
                port: \${env:PLUMBLINE_METRICS_PORT}
  pipelines:
    traces: { receivers: [otlp], exporters: [file] }
    logs: { receivers: [otlp], exporters: [file] }
`;
}

describe('gateway backend TLS cannot be turned off', () => {
  it('writes TLS on by default, and PLUMBLINE_BACKEND_TLS_INSECURE=true delivers to a plaintext backend', async () => {
    const files = generateCollectorConfigs(spec, { tls: false });
    for (const name of ['gateway.yaml', 'single.yaml'] as const) {
      const exporters = (
        parse(files[name]) as { exporters: Record<string, { tls?: { insecure?: unknown } }> }
      ).exporters;
      for (const exporter of ['otlp_grpc/backend', 'otlp_grpc/logs'])
        expect(exporters[exporter]?.tls?.insecure, `${name} ${exporter}`).toBe(
          '${env:PLUMBLINE_BACKEND_TLS_INSECURE:-false}',
        );
    }

    dir = await mkdtemp(join(tmpdir(), 'plumbline-backend-plaintext-'));
    const binary = await collectorBinary();
    const backendPort = await freePort();
    const received = join(dir, 'received.jsonl');
    await writeFile(join(dir, 'backend.yaml'), backendConfig(backendPort, received));
    running.push(await startCollector('backend', binary, join(dir, 'backend.yaml'), {}));

    await writeFile(join(dir, 'single.yaml'), files['single.yaml']);
    const agentHttpPort = await freePort();
    running.push(
      await startCollector('single', binary, join(dir, 'single.yaml'), {
        PLUMBLINE_AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${await freePort()}`,
        PLUMBLINE_AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${agentHttpPort}`,
        PLUMBLINE_SPANMETRICS_ENDPOINT: `127.0.0.1:${await freePort()}`,
        PLUMBLINE_TRACE_BACKEND_ENDPOINT: `127.0.0.1:${backendPort}`,
        PLUMBLINE_LOG_BACKEND_ENDPOINT: `127.0.0.1:${backendPort}`,
        PLUMBLINE_BACKEND_TLS_INSECURE: 'true',
      }),
    );

    const { provider } = tracingToAgent('backend-plaintext', agentHttpPort);
    const tracer = provider.getTracer('regression');
    const traceIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const span = tracer.startSpan(`job ${i}`);
      traceIds.push(span.spanContext().traceId);
      span.end();
    }
    await provider.forceFlush();
    await waitFor(
      'the spans at the plaintext backend',
      () => (traceIds.every((id) => spansByTrace(received).get(id) === 1) ? true : undefined),
      30_000,
    );
    await provider.shutdown();
  }, 90_000);
});

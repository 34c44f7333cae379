// Regression: OTEL_EXPORTER_OTLP_PROTOCOL=grpc (or a signal's OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL)
// was ignored: plumbline exports OTLP over HTTP only, so an operator who set grpc and pointed the
// endpoint at a collector's gRPC port (4317) lost every export, each failing on its own with
// nothing said at start (an HTTP/2-only receiver on loopback, as a gRPC port is: the span, log and
// metric exports all failed). Now createTelemetry and nodeSdkParts refuse it at start naming the
// variable, as a malformed endpoint is refused; http/protobuf and http/json are fine, and a
// signal that is not exported is not held to it.
import { createServer as createHttp2Server } from 'node:http2';
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  nodeSdkParts,
  TelemetryOptionsError,
  type TelemetryOptions,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
  'OTEL_METRICS_EXPORTER',
  'OTEL_SDK_DISABLED',
] as const;
type Variable = (typeof VARIABLES)[number];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  await cleanUpAndResetGlobals(cleanups);
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function environment(values: Partial<Record<Variable, string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

/** What a collector's gRPC port is to an HTTP/1.1 client: an HTTP/2-only (h2c) server. */
async function grpcPort(): Promise<string> {
  const server = createHttp2Server((_request, response) => response.writeHead(200).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** An OTLP/HTTP receiver on loopback counting the posts per path. */
async function httpReceiver(): Promise<{ url: string; posts: Record<string, number> }> {
  const posts: Record<string, number> = {};
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      posts[request.url ?? ''] = (posts[request.url ?? ''] ?? 0) + 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, posts };
}

function make(options: TelemetryOptions = {}) {
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    exportTimeoutMs: 1_000,
    registerGlobal: false,
    ...options,
  });
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

/** What make() throws, or undefined. */
function refusal(run: () => unknown): TelemetryOptionsError | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TelemetryOptionsError) return error;
    throw error;
  }
  return undefined;
}

it('otlp-grpc-protocol-ignored: grpc with an endpoint is refused at start, naming the variable', async () => {
  const endpoint = await grpcPort();
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
  const error = refusal(() => make());
  expect(error?.issues.map((issue) => issue.path)).toEqual(['otlpEndpoint (OTEL_EXPORTER_OTLP_PROTOCOL)']);
  expect(error?.message).toContain('traces, metrics, logs over OTLP/HTTP only');
  expect(error?.message).toContain('http/protobuf or http/json');

  // The option too, and under NodeSDK; any case, spaces around it.
  environment({ OTEL_EXPORTER_OTLP_PROTOCOL: ' GRPC ' });
  expect(refusal(() => make({ otlpEndpoint: endpoint }))?.issues).toHaveLength(1);
  const underNodeSdk = refusal(() =>
    nodeSdkParts(spec, { logDestination: captureLines().destination, otlpEndpoint: endpoint }),
  );
  expect(underNodeSdk?.issues.map((issue) => issue.path)).toEqual([
    'otlpEndpoint (OTEL_EXPORTER_OTLP_PROTOCOL)',
  ]);
});

it("otlp-grpc-protocol-ignored: a signal's own variable, over the general one, for the signals exported", async () => {
  const endpoint = await grpcPort();
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' });
  const error = refusal(() => make());
  expect(error?.issues.map((issue) => issue.path)).toEqual([
    'otlpEndpoint (OTEL_EXPORTER_OTLP_METRICS_PROTOCOL)',
  ]);
  expect(error?.message).toContain('exports metrics over OTLP/HTTP only');

  // Logs' own says grpc, the general one traces' and metrics': two issues, each naming its own.
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
  });
  expect(refusal(() => make())?.issues.map((issue) => issue.path)).toEqual([
    'otlpEndpoint (OTEL_EXPORTER_OTLP_PROTOCOL)',
    'otlpEndpoint (OTEL_EXPORTER_OTLP_LOGS_PROTOCOL)',
  ]);
  // A signal not exported is not held to it: metrics off, logs not exported over OTLP.
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
  });
  expect(refusal(() => make({ otlpLogs: false }))).toBeUndefined();
  // Nothing exported at all (no endpoint, or the SDK disabled): nothing to refuse.
  for (const values of [
    { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SDK_DISABLED: 'true' },
  ]) {
    environment(values);
    expect(refusal(() => make())).toBeUndefined();
  }
});

it('otlp-grpc-protocol-ignored: http/protobuf and http/json export to an OTLP/HTTP receiver', async () => {
  const sink = await httpReceiver();
  for (const protocol of ['http/protobuf', 'http/json']) {
    for (const path of Object.keys(sink.posts)) delete sink.posts[path];
    // The signals' own http/* over a general grpc: each signal exported.
    environment({
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: protocol,
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: protocol,
    });
    const telemetry = make();
    telemetry.tracer.startActiveSpan('checkout', (span) => {
      telemetry.log.event('order.placed', {});
      span.end();
    });
    await telemetry.shutdown();
    expect({ protocol, paths: Object.keys(sink.posts).sort() }).toEqual({
      protocol,
      paths: ['/v1/logs', '/v1/metrics', '/v1/traces'],
    });
  }
});

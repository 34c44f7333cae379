// Regression: the signal-specific endpoints OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
// OTEL_EXPORTER_OTLP_METRICS_ENDPOINT and OTEL_EXPORTER_OTLP_LOGS_ENDPOINT were never read by
// plumbline's exporters: it gave OTel's exporters a URL made from OTEL_EXPORTER_OTLP_ENDPOINT
// (which takes the place of their own reading of the environment) and its own metric exporter the
// same, so the three alone exported nothing (createTelemetry: 0 posts; real NodeSDK 0.223 with
// plumbline's parts: only NodeSDK's own log export reached /l), and beside
// OTEL_EXPORTER_OTLP_ENDPOINT they were passed over (1 /v1/traces, 1 /v1/logs, 2 /v1/metrics
// posts instead of /t, /l, /m). Per the OTel spec each is now used as it is (no /v1/<signal>
// appended) and wins over OTEL_EXPORTER_OTLP_ENDPOINT; the `otlpEndpoint` option still wins over
// the environment, as documented; a malformed one is refused naming the variable.
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  nodeSdkParts,
  TelemetryOptionsError,
  type Telemetry,
  type TelemetryOptions,
} from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  await cleanUpAndResetGlobals(cleanups);
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** An OTLP/HTTP receiver on loopback counting the posts per path (200 to each). */
async function receiver(): Promise<{ url: string; posts: Record<string, number> }> {
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

/** The environment given, and nothing else of these variables. */
function environment(values: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

/** One span with an event line in it, flushed and shut down: each signal's export has posted. */
async function exercise(telemetry: Telemetry): Promise<void> {
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    span.end();
  });
  await telemetry.forceFlush();
  await telemetry.shutdown();
}

const made = (options: TelemetryOptions = {}) =>
  createTelemetry(spec, { logDestination: captureLines().destination, ...options });

/** Under NodeSDK (test/support/node-sdk.ts, with its logger provider). */
function underNodeSdk(options: TelemetryOptions = {}): Telemetry {
  const parts = nodeSdkParts(spec, { logDestination: captureLines().destination, ...options });
  cleanups.push(() => parts.telemetry.shutdown());
  startLikeNodeSdk(parts.config, cleanups, { logs: true });
  return parts.telemetry;
}

it("otlp-signal-endpoints-ignored: createTelemetry posts to each signal's own endpoint, alone or beside the general one", async () => {
  const sink = await receiver();
  for (const general of [false, true]) {
    for (const path of Object.keys(sink.posts)) delete sink.posts[path];
    environment({
      ...(general ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } : {}),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/t`,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${sink.url}/m`,
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${sink.url}/l`,
    });
    await exercise(made());
    expect({ general, paths: Object.keys(sink.posts).sort() }).toEqual({
      general,
      paths: ['/l', '/m', '/t'],
    });
  }
});

it("otlp-signal-endpoints-ignored: one signal's own endpoint, the others from the general one", async () => {
  const sink = await receiver();
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${sink.url}/m/`,
  });
  await exercise(made());
  expect(Object.keys(sink.posts).sort()).toEqual(['/m/', '/v1/logs', '/v1/traces']);
});

it('otlp-signal-endpoints-ignored: the otlpEndpoint option still wins over the environment', async () => {
  const sink = await receiver();
  environment({
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/t`,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${sink.url}/m`,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${sink.url}/l`,
  });
  await exercise(made({ otlpEndpoint: sink.url }));
  expect(Object.keys(sink.posts).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
});

it('otlp-signal-endpoints-ignored: under NodeSDK, spans and metrics to their own endpoints, logs too beside the general one', async () => {
  const sink = await receiver();
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/t`,
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${sink.url}/m`,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${sink.url}/l`,
  });
  await exercise(underNodeSdk());
  expect(Object.keys(sink.posts).sort()).toEqual(['/l', '/m', '/t']);
});

it('otlp-signal-endpoints-ignored: a signal endpoint that is no http(s) URL is refused, naming the variable', () => {
  environment({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318/v1/traces' });
  expect(() => made()).toThrow(TelemetryOptionsError);
  expect(() => made()).toThrow(
    'otlpEndpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): must use http: or https:, got "collector:"',
  );
  environment({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'not a url' });
  expect(() => made()).toThrow(
    'otlpEndpoint (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT): must be an http(s) URL such as http://127.0.0.1:4318/v1/traces, got "not a url"',
  );
});

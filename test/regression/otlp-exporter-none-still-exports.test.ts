// Regression: OTEL_TRACES_EXPORTER=none, OTEL_METRICS_EXPORTER=none and OTEL_LOGS_EXPORTER=none,
// the standard way to turn a signal's export off, were ignored once an OTLP endpoint was set:
// createTelemetry and nodeSdkParts made their own OTLP exporters from the endpoint alone and
// never read these variables (real NodeSDK 0.223 with plumbline's parts, a local receiver as
// OTEL_EXPORTER_OTLP_ENDPOINT and all three `none`: 1 /v1/traces, 1 /v1/logs and 2 /v1/metrics
// posts -> nothing posted). They are now read as NodeSDK reads them: `none` turns that signal's
// export off (for traces when it comes first, `otlp,none` still exporting, as in NodeSDK), the
// other signals still exported; with the `otlpEndpoint` option too.
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  nodeSdkParts,
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

it('otlp-exporter-none-still-exports: createTelemetry posts nothing with all three none, every signal without', async () => {
  const sink = await receiver();
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  await exercise(made());
  expect(Object.keys(sink.posts).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
  for (const path of Object.keys(sink.posts)) delete sink.posts[path];

  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });
  await exercise(made());
  expect(sink.posts).toEqual({});
});

it('otlp-exporter-none-still-exports: one signal turned off, the others still exported, with the option too', async () => {
  const sink = await receiver();
  const cases = [
    ['OTEL_TRACES_EXPORTER', '/v1/traces'],
    ['OTEL_METRICS_EXPORTER', '/v1/metrics'],
    ['OTEL_LOGS_EXPORTER', '/v1/logs'],
  ] as const;
  for (const [name, path] of cases) {
    for (const fromOption of [false, true]) {
      for (const key of Object.keys(sink.posts)) delete sink.posts[key];
      environment({ [name]: ' none ', ...(fromOption ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }) });
      await exercise(made(fromOption ? { otlpEndpoint: sink.url } : {}));
      const others = ['/v1/logs', '/v1/metrics', '/v1/traces'].filter((other) => other !== path);
      expect({ name, fromOption, paths: Object.keys(sink.posts).sort() }).toEqual({
        name,
        fromOption,
        paths: others,
      });
    }
  }
});

it('otlp-exporter-none-still-exports: read as NodeSDK reads it (traces: none first; metrics and logs: none anywhere)', async () => {
  const sink = await receiver();
  environment({
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    OTEL_TRACES_EXPORTER: 'otlp,none',
    OTEL_METRICS_EXPORTER: 'otlp,none',
    OTEL_LOGS_EXPORTER: 'console,none',
  });
  await exercise(made());
  expect(Object.keys(sink.posts)).toEqual(['/v1/traces']);
});

it('otlp-exporter-none-still-exports: under NodeSDK, nothing posted with all three none', async () => {
  const sink = await receiver();
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  await exercise(underNodeSdk());
  expect(Object.keys(sink.posts).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
  await cleanUpAndResetGlobals(cleanups.splice(1));
  for (const path of Object.keys(sink.posts)) delete sink.posts[path];

  environment({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  const telemetry = underNodeSdk({ otlpEndpoint: sink.url });
  await exercise(telemetry);
  expect(sink.posts).toEqual({});
});

// Regression: OTEL_SDK_DISABLED=true, the OTel variable that disables the SDK for all signals
// (NodeSDK then does not start at all), was ignored by plumbline's own exporters: createTelemetry
// with an OTLP endpoint kept posting spans, metrics and event lines (a local receiver: 1
// /v1/traces, 1 /v1/logs and 2 /v1/metrics posts -> none), and so did nodeSdkParts' parts. Now no
// OTLP export of any signal is made, whichever endpoint was given (the option too), while the
// event lines still reach the log destination and /metrics is still served: neither is the SDK
// exporting.
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import {
  createTelemetry,
  defineTelemetry,
  nodeSdkParts,
  type Telemetry,
  type TelemetryOptions,
} from '../../src/index.js';
import { captureLines, type CapturedLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
  counters: { 'shop.orders': { description: 'Orders placed.', unit: '{order}', attributes: [] } },
});

const VARIABLES = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_SDK_DISABLED'] as const;
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

function environment(values: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

/** The app's /metrics, served by telemetry.metricsHandler on loopback. */
async function scrape(telemetry: Telemetry<typeof spec>): Promise<string> {
  const server = createServer((request, response) => telemetry.metricsHandler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** A span with an event line in it and an order counted; /metrics scraped; flushed, shut down. */
async function exercise(telemetry: Telemetry<typeof spec>): Promise<string> {
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    telemetry.metrics.counter('shop.orders').add(1);
    span.end();
  });
  const metrics = await scrape(telemetry);
  await telemetry.forceFlush();
  await telemetry.shutdown();
  return metrics;
}

function made(lines: CapturedLines, options: TelemetryOptions = {}) {
  return createTelemetry(spec, { logDestination: lines.destination, ...options });
}

function underNodeSdk(lines: CapturedLines, options: TelemetryOptions = {}) {
  const parts = nodeSdkParts(spec, { logDestination: lines.destination, ...options });
  cleanups.push(() => parts.telemetry.shutdown());
  startLikeNodeSdk(parts.config, cleanups, { logs: true });
  return parts.telemetry;
}

function clear(posts: Record<string, number>): void {
  for (const path of Object.keys(posts)) delete posts[path];
}

it('otel-sdk-disabled-still-exports: createTelemetry posts nothing, the event line and /metrics stay', async () => {
  const sink = await receiver();
  // Without the variable (and with it false), every signal is exported.
  for (const disabled of [undefined, 'false']) {
    clear(sink.posts);
    environment({
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      ...(disabled === undefined ? {} : { OTEL_SDK_DISABLED: disabled }),
    });
    await exercise(made(captureLines()));
    expect(Object.keys(sink.posts).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
  }

  for (const [value, fromOption] of [
    ['true', false],
    [' TRUE ', false],
    ['true', true],
  ] as const) {
    clear(sink.posts);
    environment({
      OTEL_SDK_DISABLED: value,
      ...(fromOption ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }),
    });
    const lines = captureLines();
    const metrics = await exercise(made(lines, fromOption ? { otlpEndpoint: sink.url } : {}));
    expect({ value, fromOption, posts: sink.posts }).toEqual({ value, fromOption, posts: {} });
    // Not the SDK exporting: the local log line and /metrics are still there.
    expect(lines.lines.map((line) => line.event)).toContain('order.placed');
    expect(metrics).toMatch(/^shop_orders_total(\{[^}]*\})? 1$/m);
  }
});

it('otel-sdk-disabled-still-exports: nodeSdkParts makes no OTLP export either', async () => {
  const sink = await receiver();
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url });
  await exercise(underNodeSdk(captureLines()));
  expect(Object.keys(sink.posts).sort()).toEqual(['/v1/logs', '/v1/metrics', '/v1/traces']);
  await cleanUpAndResetGlobals(cleanups.splice(1));
  clear(sink.posts);

  // Real NodeSDK does not start at all with it; whatever runs the parts, they post nothing.
  environment({ OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SDK_DISABLED: 'true' });
  const lines = captureLines();
  await exercise(underNodeSdk(lines));
  expect(sink.posts).toEqual({});
  expect(lines.lines.map((line) => line.event)).toContain('order.placed');
});

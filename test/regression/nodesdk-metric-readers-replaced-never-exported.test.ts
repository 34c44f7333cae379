// Regression: an app spread plumbline's parts into NodeSDK and then gave `metricReaders` of its
// own, `new NodeSDK({ ...plumbline.config, metricReaders: [new PeriodicExportingMetricReader(...)] })`.
// The later key replaced plumbline's readers, so they were never bound: the OTLP export of the
// spec's instruments (the SLO series and their exemplars) and /metrics' reader never ran, and
// nothing said so (real NodeSDK 0.223 against a local OTLP receiver: 3 metric exports in 700 ms
// with the readers kept -> 0, no warning). Now the first span through plumbline's processors
// warns on stderr (PLUMBLINE_METRIC_READERS_LEFT_OUT), and createTelemetry after the start names
// the metric readers. Real parts: the SDK's providers as NodeSDK.start() builds them
// (test/support/node-sdk.ts), a real OTLP/HTTP receiver.
import { createServer, type Server } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import {
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
  AggregationTemporality,
} from '@opentelemetry/sdk-metrics';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: {},
  counters: { 'orders.placed': { description: 'Orders placed.', attributes: [] } },
  sampling: { decisionWaitMs: 0, policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 1000 }] },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** A local OTLP/HTTP receiver counting the metric exports it is sent. */
async function receiver(): Promise<{ endpoint: string; metricExports: () => number }> {
  let exports = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/v1/metrics') exports++;
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, metricExports: () => exports };
}

async function warningCodes(run: () => void): Promise<string[]> {
  const codes: string[] = [];
  const listen = (warning: Error) => codes.push(String((warning as { code?: string }).code));
  process.on('warning', listen);
  try {
    run();
    await nextTurn();
    await nextTurn();
  } finally {
    process.off('warning', listen);
  }
  return codes;
}

function decisions(telemetry: {
  sampler?: { stats(): { decisions: Record<string, { keep: number; drop: number }> } };
}) {
  return Object.values(telemetry.sampler!.stats().decisions).reduce((sum, d) => sum + d.keep + d.drop, 0);
}

it('nodesdk-metric-readers-replaced-never-exported: the first span warns, createTelemetry names the readers', async () => {
  const otlp = await receiver();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: otlp.endpoint,
  });
  cleanups.push(() => parts.telemetry.shutdown());
  const own = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 60_000,
  });
  startLikeNodeSdk({ ...parts.config, metricReaders: [own] }, cleanups);
  parts.telemetry.metrics.counter('orders.placed').add(1);

  const codes = await warningCodes(() => {
    trace.getTracer('app').startSpan('GET /orders').end();
    trace.getTracer('app').startSpan('GET /orders').end();
  });
  expect(codes).toEqual(['PLUMBLINE_METRIC_READERS_LEFT_OUT']);
  // The spans still pass the sampler, the first one too.
  expect(decisions(parts.telemetry)).toBe(2);
  expect(() => createTelemetry(spec)).toThrow(
    /meter provider was started without the metric readers nodeSdkParts made[\s\S]*nodeSdkParts\(spec, \{ metricReaders \}\)/,
  );
  // What the warning says happens: the spec's counter never reaches OTLP.
  await parts.telemetry.forceFlush();
  expect(otlp.metricExports()).toBe(0);
});

it("nodesdk-metric-readers-replaced-never-exported: no warning with plumbline's readers in the SDK", async () => {
  const otlp = await receiver();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: otlp.endpoint,
  });
  cleanups.push(() => parts.telemetry.shutdown());
  const codes = await warningCodes(() => {
    startLikeNodeSdk(parts.config, cleanups);
    trace.getTracer('app').startSpan('GET /orders').end();
    trace.getTracer('app').startSpan('GET /orders').end();
  });
  expect(codes).toEqual([]);
  expect(decisions(parts.telemetry)).toBe(2);
  expect(createTelemetry(spec)).toBe(parts.telemetry);
  parts.telemetry.metrics.counter('orders.placed').add(1);
  await parts.telemetry.forceFlush();
  expect(otlp.metricExports()).toBeGreaterThan(0);
});

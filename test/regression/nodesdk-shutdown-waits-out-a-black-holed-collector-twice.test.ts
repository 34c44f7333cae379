// Regression (docs trial): the documented SIGTERM recipe, `telemetry.shutdown().then(() =>
// sdk.shutdown())`, took 30.5 s against a black-holed collector (it accepts the connection and
// never answers), past Kubernetes' default 30 s grace: telemetry.shutdown() 10.0 s, then
// sdk.shutdown() 20.5 s more, all of it in the meter provider. Two causes: the OTLP metric
// exporter's timeout applied per attempt (three attempts, 30 s for one export), and
// telemetry.shutdown() only flushed the OTLP metric reader, whose shutdown in sdk.shutdown() then
// made its final export and waited for the one still in flight. Now an export's attempts share
// one deadline, and telemetry.shutdown() shuts that reader down (once: NodeSDK's call waits for
// the same shutdown). Real parts: the providers NodeSDK builds from the config, a TCP server that
// never answers, real HTTP.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, defineTelemetry, nodeSdkParts, OtlpJsonMetricExporter } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';
import { startBlackHole } from '../support/black-hole.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  sampling: { decisionWaitMs: 0, policies: [{ name: 'all', kind: 'budget', tracesPerSecond: 100_000 }] },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
  histograms: {
    'order.duration': {
      description: 'Order handling time.',
      unit: 's',
      attributes: ['route'],
      buckets: { boundaries: [0.1, 0.5, 1] },
    },
  },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

const blackHole = () => startBlackHole(cleanups);

describe('NodeSDK shutdown waits out a black-holed collector twice', () => {
  it("ends one metric export, retries included, by the export's timeout", async () => {
    const collector = await blackHole();
    const metrics = createMetrics(spec, { exemplarFilter: 'always_off' });
    metrics.histogram('order.duration').record(0.1, { route: '/a' });
    const { resourceMetrics } = await metrics.producer.collect();
    const exporter = new OtlpJsonMetricExporter({
      endpoint: collector.url,
      timeoutMillis: 1_500,
      maxAttempts: 3,
      retryDelayMillis: 10,
    });
    const started = performance.now();
    const result = await new Promise<ExportResult>((resolve) => exporter.export(resourceMetrics, resolve));
    const elapsed = performance.now() - started;
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.name).toBe('TimeoutError');
    // Before: each of the three attempts waited 1.5 s (4.5 s in all).
    expect(elapsed).toBeLessThan(2 * 1_500);
  });

  it("returns from telemetry.shutdown() then the providers' shutdown within about one export timeout", async () => {
    const collector = await blackHole();
    const parts = nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      otlpEndpoint: collector.url,
      otlpLogs: false,
      exportTimeoutMs: 1_500,
    });
    const { tracerProvider, meterProvider } = startLikeNodeSdk(parts.config, []);
    cleanups.push(() => parts.telemetry.shutdown());
    parts.telemetry.metrics.histogram('order.duration').record(0.1, { route: '/a' });
    parts.telemetry.tracer.startSpan('GET /a').end();

    const started = performance.now();
    await parts.telemetry.shutdown();
    // What sdk.shutdown() does with the providers NodeSDK built.
    // It resolves: the export's Timeout was reported when telemetry.shutdown() met it.
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    const elapsed = performance.now() - started;
    expect(collector.connections()).toBeGreaterThan(0);
    // Before: 1.5 s, then 3.5 s more in the meter provider (5.0 s); with the deadline alone, 3.0 s
    // (the meter provider's own final export, 1.5 s more).
    expect(elapsed).toBeLessThan(1.5 * 1_500);
  });

  it('does not wait again in sdk.shutdown() for spans a service still made while telemetry.shutdown() waited', async () => {
    const collector = await blackHole();
    const parts = nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      otlpEndpoint: collector.url,
      exportTimeoutMs: 1_500,
    });
    const { tracerProvider, meterProvider } = startLikeNodeSdk(parts.config, []);
    cleanups.push(() => parts.telemetry.shutdown());
    const tracer = tracerProvider.getTracer('app');
    for (let i = 0; i < 50; i++) tracer.startSpan(`GET /a ${i}`).end();
    await parts.telemetry.shutdown();
    // The service is still taking requests while it shuts down.
    for (let i = 0; i < 50; i++) tracer.startSpan(`GET /b ${i}`).end();
    const started = performance.now();
    // It resolves: the export's Timeout was reported when telemetry.shutdown() met it.
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    // Before: the spans made meanwhile were queued and exported again into the black hole (1.5 s).
    expect(performance.now() - started).toBeLessThan(0.5 * 1_500);
  });

  it("bounds the log export's shutdown, which OTel flushes one batch after another", async () => {
    const collector = await blackHole();
    const parts = nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      otlpEndpoint: collector.url,
      exportTimeoutMs: 1_500,
    });
    startLikeNodeSdk(parts.config, []);
    // What NodeSDK builds from logRecordProcessors.
    const loggerProvider = new LoggerProvider({ processors: [...(parts.config.logRecordProcessors ?? [])] });
    cleanups.push(() => parts.telemetry.shutdown());
    const logger = loggerProvider.getLogger('app');
    for (let i = 0; i < 2_048; i++)
      logger.emit({ eventName: 'order.viewed', attributes: { order_id: `o-${i}` } });
    const started = performance.now();
    await parts.telemetry.shutdown();
    await loggerProvider.shutdown();
    // Before: the full queue went out in four batches of 512, each waiting out the 1.5 s timeout.
    expect(performance.now() - started).toBeLessThan(1.5 * 1_500);
  });
});

// Regression (review): an app span processor whose shutdown() threw at once made
// `telemetry.shutdown()` reject into the app with that error, and the steps after it never ran:
// the meter provider was not shut down (no final metric export), the event log was not closed,
// and every later shutdown() returned the same rejection. The steps were called while their list
// was built, before the code that turns a failing step into a diag warning ran. forceFlush() had
// the same pattern. Now each step is called on its own: a step that throws at once is a failed
// step, reported on OTel's diag logger, and the others still run. Real parts: createTelemetry and
// nodeSdkParts with OTel's providers, a metric reader with OTel's in-memory exporter.
import { diag, type DiagLogger } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts, type Telemetry } from '../../src/index.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const plain = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});
const sampled = defineTelemetry({
  ...plain,
  sampling: { decisionWaitMs: 0, policies: [{ name: 'all', kind: 'budget', tracesPerSecond: 1_000 }] },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

/** An app's span processor whose flush and shutdown throw before returning a promise. */
function throwingProcessor(): SpanProcessor {
  return {
    onStart() {},
    onEnd() {},
    forceFlush() {
      throw new Error('flush exploded');
    },
    shutdown() {
      throw new Error('shutdown exploded');
    },
  };
}

/** OTel's diag warnings, for the test's duration. */
function diagWarnings(): string[] {
  const warnings: string[] = [];
  const ignore = () => {};
  const logger: DiagLogger = {
    warn: (message: string, ...args: unknown[]) =>
      warnings.push(
        [message, ...args.map((arg) => (arg instanceof Error ? arg.message : String(arg)))].join(' '),
      ),
    error: ignore,
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger);
  cleanups.push(() => diag.disable());
  return warnings;
}

/** A log destination that counts its flushes (the event log's flush() and close() call it). */
function countingDestination() {
  const destination = {
    flushes: 0,
    write() {},
    flush(done: () => void) {
      destination.flushes++;
      done();
    },
  };
  return destination;
}

/** A reader whose exporter shows what the meter provider's final export (at shutdown) or a flush sent. */
function inMemoryReader() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 600_000 });
  const exportedNames = () =>
    exporter
      .getMetrics()
      .flatMap((resourceMetrics) => resourceMetrics.scopeMetrics)
      .flatMap((scope) => scope.metrics.map((metric) => metric.descriptor.name));
  return { reader, exportedNames };
}

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => `rejected: ${error instanceof Error ? error.message : String(error)}`,
  );

describe('shutdown-rejects-when-a-span-processor-throws-at-once', () => {
  for (const [name, spec] of [
    ['without the tail sampler', plain],
    ['behind the tail sampler', sampled],
  ] as const) {
    it(`createTelemetry ${name}: shutdown() runs every step and resolves; the failure goes to diag`, async () => {
      const warnings = diagWarnings();
      const destination = countingDestination();
      const { reader, exportedNames } = inMemoryReader();
      const telemetry: Telemetry = createTelemetry(spec, {
        registerGlobal: false,
        otlpEndpoint: '',
        spanProcessors: [throwingProcessor()],
        metricReaders: [reader],
        logDestination: destination,
      });
      telemetry.meter.createCounter('jobs.done').add(1);

      expect(await outcome(telemetry.shutdown())).toBe('resolved');
      // The meter provider was shut down: its reader made the final export.
      expect(exportedNames()).toContain('jobs.done');
      // The event log was closed (close() flushes the destination).
      expect(destination.flushes).toBeGreaterThan(0);
      expect(warnings.join('\n')).toMatch(/plumbline: flush\/shutdown step failed.*shutdown exploded/);
      // A later call gets the same settled shutdown.
      expect(await outcome(telemetry.shutdown())).toBe('resolved');
    });

    it(`createTelemetry ${name}: forceFlush() runs every step and resolves; the failure goes to diag`, async () => {
      const warnings = diagWarnings();
      const destination = countingDestination();
      const { reader, exportedNames } = inMemoryReader();
      const telemetry: Telemetry = createTelemetry(spec, {
        registerGlobal: false,
        otlpEndpoint: '',
        spanProcessors: [throwingProcessor()],
        metricReaders: [reader],
        logDestination: destination,
      });
      cleanups.push(() => telemetry.shutdown());
      telemetry.meter.createCounter('jobs.done').add(1);

      expect(await outcome(telemetry.forceFlush())).toBe('resolved');
      expect(exportedNames()).toContain('jobs.done');
      expect(destination.flushes).toBeGreaterThan(0);
      expect(warnings.join('\n')).toMatch(/plumbline: flush\/shutdown step failed.*flush exploded/);
    });
  }

  it('nodeSdkParts: shutdown() and forceFlush() run every step and resolve', async () => {
    const warnings = diagWarnings();
    const destination = countingDestination();
    const { reader, exportedNames } = inMemoryReader();
    const parts = nodeSdkParts(plain, {
      otlpEndpoint: '',
      spanProcessors: [throwingProcessor()],
      metricReaders: [reader],
      logDestination: destination,
    });
    // NodeSDK's own shutdown of its tracer provider meets the throwing processor: OTel's matter.
    const sdkCleanups: (() => Promise<unknown> | unknown)[] = [];
    startLikeNodeSdk(parts.config, sdkCleanups);
    cleanups.push(() => Promise.allSettled(sdkCleanups.map(async (cleanup) => cleanup())));
    cleanups.push(() => parts.telemetry.shutdown());
    parts.telemetry.meter.createCounter('jobs.done').add(1);

    expect(await outcome(parts.telemetry.forceFlush())).toBe('resolved');
    expect(exportedNames()).toContain('jobs.done');
    const flushed = destination.flushes;
    expect(flushed).toBeGreaterThan(0);
    expect(warnings.join('\n')).toMatch(/plumbline: flush\/shutdown step failed.*flush exploded/);

    expect(await outcome(parts.telemetry.shutdown())).toBe('resolved');
    expect(destination.flushes).toBeGreaterThan(flushed);
  });
});

// Regression: an app that had registered its own OTel meter provider and logger provider (metrics
// or logs SDK set up by hand, no tracer provider) and then made plumbline's telemetry kept them as
// the globals, as OTel keeps the first registration; but telemetry.shutdown() unregistered them
// anyway (metrics.disable() and logs.disable() without checking whose they were), so the app's
// records after it went nowhere: a log record the app emitted after plumbline's shutdown, 1
// exported -> 0; the global meter provider was no longer the app's. The context manager and the
// propagator were already left alone when they were the app's; now the meter and logger providers
// are too. Real parts: sdk-logs' and sdk-metrics' providers on the global APIs.
import { metrics } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({ service: { name: 'shop' }, events: {} });

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  logs.disable();
  metrics.disable();
});

it("shutdown-unregisters-the-apps-own-meter-and-logger-providers: the app's providers stay the globals", async () => {
  const exporter = new InMemoryLogRecordExporter();
  const appLogs = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const appMeters = new MeterProvider();
  logs.setGlobalLoggerProvider(appLogs);
  metrics.setGlobalMeterProvider(appMeters);
  cleanups.push(
    () => appLogs.shutdown(),
    () => appMeters.shutdown(),
  );

  // A logger provider of plumbline's own (here for an in-memory processor; with an endpoint alike).
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() })],
  });
  await nextTurn();
  await telemetry.shutdown();
  await nextTurn();

  expect(logs.getLoggerProvider()).toBe(appLogs);
  expect(metrics.getMeterProvider()).toBe(appMeters);
  logs.getLogger('app').emit({ body: 'after plumbline shut down' });
  expect(exporter.getFinishedLogRecords()).toHaveLength(1);
});

it('shutdown-unregisters-the-apps-own-meter-and-logger-providers: its own providers are still unregistered', async () => {
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: new InMemoryLogRecordExporter() })],
  });
  await nextTurn();
  expect(metrics.getMeterProvider()).toBe(telemetry.meterProvider);
  const registered = logs.getLoggerProvider();
  expect(registered).toBeInstanceOf(LoggerProvider);
  await telemetry.shutdown();
  await nextTurn();
  expect(logs.getLoggerProvider()).not.toBe(registered);
  expect(metrics.getMeterProvider()).not.toBe(telemetry.meterProvider);
});

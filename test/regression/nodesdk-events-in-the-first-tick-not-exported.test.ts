// Regression: on the OTel 2.x line nodeSdkParts reached the global Logs API (@opentelemetry/api-logs)
// a tick late, with an `import()`, and counted every event logged before it arrived as a dropped
// log record (not_started) instead of exporting it. In the CommonJS recipe the app's whole top
// level runs in that tick (`node --require ./instrumentation.js app.js`), so its start-up events
// never reached OTel Logs: with the real NodeSDK 0.223 and a local OTLP receiver, an event logged
// right after the start was not exported (not_started 1) while one 10 ms later was. The API is now
// loaded at once with a require from plumbline's location (the CommonJS build's own require). Real
// parts: sdk-logs' LoggerProvider registered on the global Logs API as NodeSDK.start() does.
import { logs } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, expect, it } from 'vitest';
import { defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: { 'service.started': { level: 'info', fields: { port: { type: 'integer' } } } },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  await cleanUpAndResetGlobals(cleanups);
  logs.disable();
});

it('nodesdk-events-in-the-first-tick-not-exported: an event logged in the tick of the start reaches OTel Logs', async () => {
  const lines = captureLines();
  const parts = nodeSdkParts(spec, { logDestination: lines.destination });
  cleanups.push(() => parts.telemetry.shutdown());
  startLikeNodeSdk(parts.config, cleanups);
  const exporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  logs.setGlobalLoggerProvider(loggerProvider);
  cleanups.push(() => loggerProvider.shutdown());

  parts.telemetry.log.event('service.started', { port: 8080 });

  expect(exporter.getFinishedLogRecords().map((record) => record.eventName)).toEqual(['service.started']);
  await parts.telemetry.forceFlush();
  expect(lines.lines.map((line) => line.event)).toEqual(['service.started']);
});

// Regression (export review): log records emitted after plumbline's OTLP log export was shut down
// (plumbline's own event lines, or an app's pino lines through instrumentation-pino while NodeSDK
// is still up) were dropped by OTel's batch log processor without a count anywhere. They are now
// counted on plumbline_telemetry_dropped_total{signal="log_record",reason="after_shutdown"}, a
// series written at 0 when the OTLP log export is built, as spans are. Real parts: nodeSdkParts'
// log processor in a logger provider, an OTLP/HTTP receiver and /metrics over HTTP on 127.0.0.1.
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterEach, expect, it } from 'vitest';
import { defineTelemetry, nodeSdkParts, type Telemetry } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';
import { serveOnFreePort } from '../support/stalled-scrape.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const AFTER_SHUTDOWN = 'plumbline_telemetry_dropped_total{signal="log_record",reason="after_shutdown"}';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(() => cleanUpAndResetGlobals(cleanups));

async function scrapeSeries(telemetry: Telemetry, series: string): Promise<number | undefined> {
  const port = await serveOnFreePort(
    (request, response) => telemetry.metricsHandler(request, response),
    cleanups,
  );
  const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

it('counts the log records emitted after telemetry.shutdown() as after_shutdown', async () => {
  let records = 0;
  const port = await serveOnFreePort((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/logs')
        records += (
          Buffer.concat(chunks)
            .toString('utf8')
            .match(/"body"/g) ?? []
        ).length;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }, cleanups);
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: `http://127.0.0.1:${port}`,
  });
  // NodeSDK's logger provider, with plumbline's log processor in it; an app's pino lines reach
  // it through instrumentation-pino.
  startLikeNodeSdk(parts.config, cleanups);
  const loggerProvider = new LoggerProvider({ processors: [...(parts.config.logRecordProcessors ?? [])] });
  cleanups.push(() => loggerProvider.shutdown());
  const appLogger = loggerProvider.getLogger('app');
  expect(await scrapeSeries(parts.telemetry, AFTER_SHUTDOWN)).toBe(0);
  appLogger.emit({ body: 'before' });
  await parts.telemetry.shutdown();
  expect(records).toBe(1);
  // The service still logs until NodeSDK shuts down.
  for (let i = 0; i < 7; i++) appLogger.emit({ body: `after ${i}` });
  expect(await scrapeSeries(parts.telemetry, AFTER_SHUTDOWN)).toBe(7);
  expect(records).toBe(1);
});

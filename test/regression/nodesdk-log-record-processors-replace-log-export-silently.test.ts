// Regression: an app spread plumbline's parts into NodeSDK and then gave `logRecordProcessors` of
// its own, `new NodeSDK({ ...plumbline.config, logRecordProcessors: [new SimpleLogRecordProcessor(...)] })`.
// The later key replaced plumbline's OTLP log export, so the event lines reached only the app's
// processor and none was exported, and nothing said so (real NodeSDK 0.223 against a local OTLP
// receiver: 1 /v1/logs post with the spread kept -> 0, no warning, createTelemetry returned as if
// all was well). nodeSdkParts had no option to add the app's processors beside plumbline's (it has
// one for span processors and metric readers), and createTelemetry refused `logRecordProcessors`
// as an unknown option. Now both take `logRecordProcessors` (each element's shape checked), the
// start warns on stderr when plumbline's processor is not in the global logger provider
// (PLUMBLINE_LOG_RECORD_PROCESSORS_LEFT_OUT), and createTelemetry after the start names it. Real
// parts: the SDK's providers built from the configuration as NodeSDK.start() builds them
// (test/support/node-sdk.ts, and sdk-logs' LoggerProvider registered on the global Logs API as
// NodeSDK 0.223 does), a real OTLP/HTTP receiver.
import { createServer, type Server } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, nodeSdkParts, type NodeSdkConfig } from '../../src/index.js';
import { captureLines } from '../support/capture.js';
import { cleanUpAndResetGlobals, startLikeNodeSdk } from '../support/node-sdk.js';

const spec = defineTelemetry({
  service: { name: 'shop', version: '2.0.0' },
  events: { 'order.placed': { level: 'info', fields: { order_id: { type: 'string' } } } },
  sampling: { decisionWaitMs: 0, policies: [{ name: 'baseline', kind: 'budget', tracesPerSecond: 1000 }] },
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  await cleanUpAndResetGlobals(cleanups);
  logs.disable();
});

/** A local OTLP/HTTP receiver counting the log exports it is sent. */
async function receiver(): Promise<{ endpoint: string; logExports: () => number }> {
  let exports = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/v1/logs') exports++;
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, logExports: () => exports };
}

/** NodeSDK.start() (sdk-node 0.223): the providers, then a LoggerProvider over `logRecordProcessors`. */
function startNodeSdk(config: Partial<NodeSdkConfig>): void {
  startLikeNodeSdk(config, cleanups);
  const loggerProvider = new LoggerProvider({
    resource: config.resource,
    processors: config.logRecordProcessors ?? [],
  });
  logs.setGlobalLoggerProvider(loggerProvider);
  cleanups.push(() => loggerProvider.shutdown());
}

async function warningCodes(run: () => void): Promise<string[]> {
  const codes: string[] = [];
  const listen = (warning: Error) => codes.push(String((warning as { code?: string }).code));
  process.on('warning', listen);
  try {
    run();
    for (let turn = 0; turn < 5; turn++) await nextTurn();
  } finally {
    process.off('warning', listen);
  }
  return codes;
}

function ownProcessor(): { processor: LogRecordProcessor; events: () => (string | undefined)[] } {
  const exporter = new InMemoryLogRecordExporter();
  return {
    processor: new SimpleLogRecordProcessor({ exporter }),
    events: () => exporter.getFinishedLogRecords().map((record) => record.eventName),
  };
}

it('nodesdk-log-record-processors-replace-log-export-silently: the start warns, createTelemetry names the log processor', async () => {
  const otlp = await receiver();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: otlp.endpoint,
  });
  cleanups.push(() => parts.telemetry.shutdown());
  const own = ownProcessor();

  const codes = await warningCodes(() => {
    startNodeSdk({ ...parts.config, logRecordProcessors: [own.processor] });
    trace.getTracer('app').startSpan('GET /orders').end();
  });
  expect(codes).toEqual(['PLUMBLINE_LOG_RECORD_PROCESSORS_LEFT_OUT']);
  expect(() => createTelemetry(spec)).toThrow(
    /logger provider was started without the log record processor nodeSdkParts made[\s\S]*nodeSdkParts\(spec, \{ logRecordProcessors \}\)/,
  );
  // What the warning says happens: the event reaches the app's processor only, not OTLP.
  parts.telemetry.log.event('order.placed', { order_id: 'o-1' });
  await parts.telemetry.forceFlush();
  expect(own.events()).toEqual(['order.placed']);
  expect(otlp.logExports()).toBe(0);
});

it("nodesdk-log-record-processors-replace-log-export-silently: nodeSdkParts' option puts the app's processors beside plumbline's", async () => {
  const otlp = await receiver();
  const own = ownProcessor();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: otlp.endpoint,
    logRecordProcessors: [own.processor],
  });
  cleanups.push(() => parts.telemetry.shutdown());
  expect(parts.config.logRecordProcessors).toHaveLength(2);
  expect(parts.config.logRecordProcessors![1]).toBe(own.processor);

  const codes = await warningCodes(() => {
    startNodeSdk(parts.config);
    trace.getTracer('app').startSpan('GET /orders').end();
  });
  expect(codes).toEqual([]);
  expect(createTelemetry(spec)).toBe(parts.telemetry);
  parts.telemetry.log.event('order.placed', { order_id: 'o-1' });
  await parts.telemetry.forceFlush();
  expect(own.events()).toEqual(['order.placed']);
  expect(otlp.logExports()).toBe(1);
});

it("nodesdk-log-record-processors-replace-log-export-silently: without an endpoint the app's processors alone get the lines", async () => {
  const own = ownProcessor();
  const parts = nodeSdkParts(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: '',
    logRecordProcessors: [own.processor],
  });
  cleanups.push(() => parts.telemetry.shutdown());
  expect(parts.config.logRecordProcessors).toEqual([own.processor]);
  const codes = await warningCodes(() => startNodeSdk(parts.config));
  expect(codes).toEqual([]);
  parts.telemetry.log.event('order.placed', { order_id: 'o-1' });
  expect(own.events()).toEqual(['order.placed']);
});

it('nodesdk-log-record-processors-replace-log-export-silently: createTelemetry gives them to its logger provider, also with otlpLogs false', async () => {
  const otlp = await receiver();
  const own = ownProcessor();
  const telemetry = createTelemetry(spec, {
    logDestination: captureLines().destination,
    otlpEndpoint: otlp.endpoint,
    otlpLogs: false,
    logRecordProcessors: [own.processor],
  });
  cleanups.push(() => telemetry.shutdown());
  telemetry.log.event('order.placed', { order_id: 'o-1' });
  await telemetry.forceFlush();
  expect(own.events()).toEqual(['order.placed']);
  expect(otlp.logExports()).toBe(0);
});

it('nodesdk-log-record-processors-replace-log-export-silently: each element is checked, naming what is missing', () => {
  expect(() =>
    nodeSdkParts(spec, {
      logDestination: captureLines().destination,
      logRecordProcessors: [{ onEmit() {} } as never, 'processor' as never],
    }),
  ).toThrow(
    /logRecordProcessors\[0\]: must be a LogRecordProcessor \(onEmit, forceFlush, shutdown\), got an object whose forceFlush and shutdown are not functions[\s\S]*logRecordProcessors\[1\]: must be a LogRecordProcessor \(onEmit, forceFlush, shutdown\), got "processor"/,
  );
});

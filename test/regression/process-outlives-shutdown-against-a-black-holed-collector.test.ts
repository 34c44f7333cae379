// Regression (review): against a black-holed collector (it accepts the connection and never
// answers), telemetry.shutdown() resolved at its bound, but the process lived on: OTel's batch log
// processor flushes its queue at shutdown one batch after another, each waiting out the export
// timeout on a socket that holds the event loop. exportTimeoutMs 1,000 and 2,000 log records:
// resolved at 1,002 ms, the process exited at 4,015 ms; at the defaults 10,002 ms and 40,028 ms.
// Now the log export is given up on at the bound: the export under way and the batches left fail
// at once (counted as export_failed) and its connections are closed, so a CLI or batch job that
// returns exits about when shutdown() resolves. Real parts: a child process running plumbline
// from source, a TCP server on 127.0.0.1 that never answers, real HTTP.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO } from '../packaging/packed.js';
import { startBlackHole } from '../support/black-hole.js';

const exec = promisify(execFile);
const EXPORT_TIMEOUT_MS = 1_500;
const RECORDS = 2_000;

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const blackHole = () => startBlackHole(cleanups);

const PRELUDE = `
import { createTelemetry, defineTelemetry, nodeSdkParts } from './src/index.ts';
const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});
const options = {
  otlpEndpoint: process.env.COLLECTOR,
  exportTimeoutMs: ${EXPORT_TIMEOUT_MS},
  logDestination: { write() {} },
};
const LOST = 'plumbline_telemetry_dropped_total{signal="log_record",reason="export_failed"} ';
let started = 0;
let resolvedAfter = -1;
process.on('exit', () => {
  const lost = telemetry.metrics.serialize().body.split('\\n').find((line) => line.startsWith(LOST));
  console.log(JSON.stringify({ resolvedAfter, exitAfter: performance.now() - started, lost: Number(lost?.slice(LOST.length)) }));
});
`;

/** The job: an app that logs, then shuts down and returns (nothing else keeps it alive). */
const CREATE_TELEMETRY = `${PRELUDE}
const telemetry = createTelemetry(spec, { ...options, registerGlobal: false });
for (let i = 0; i < ${RECORDS}; i++) telemetry.log.event('order.viewed', { order_id: 'o-' + i });
started = performance.now();
await telemetry.shutdown();
resolvedAfter = performance.now() - started;
`;

/** The same under NodeSDK: the documented `telemetry.shutdown().then(() => sdk.shutdown())`. */
const NODE_SDK = `${PRELUDE}
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
const parts = nodeSdkParts(spec, options);
const telemetry = parts.telemetry;
// What NodeSDK builds from the config.
const tracerProvider = new TracerProvider({ spanProcessors: parts.config.spanProcessors });
const meterProvider = new MeterProvider({ readers: parts.config.metricReaders, views: parts.config.views });
const loggerProvider = new LoggerProvider({ processors: parts.config.logRecordProcessors });
const logger = loggerProvider.getLogger('app');
for (let i = 0; i < ${RECORDS}; i++) logger.emit({ eventName: 'order.viewed', attributes: { order_id: 'o-' + i } });
started = performance.now();
await telemetry.shutdown();
await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider.shutdown()]);
resolvedAfter = performance.now() - started;
`;

async function run(code: string, collector: string) {
  const { stdout } = await exec(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: REPO,
    env: { ...process.env, COLLECTOR: collector, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    resolvedAfter: number;
    exitAfter: number;
    lost: number;
  };
}

describe('process-outlives-shutdown-against-a-black-holed-collector', () => {
  for (const [home, code] of [
    ['createTelemetry', CREATE_TELEMETRY],
    ['nodeSdkParts', NODE_SDK],
  ] as const) {
    it(`${home}: the process can exit when shutdown resolves, the records not delivered counted`, async () => {
      const collector = await blackHole();
      const result = await run(code, collector.url);
      expect(collector.connections()).toBeGreaterThan(0);
      expect(result.resolvedAfter).toBeGreaterThanOrEqual(0);
      // Before: the process lived another batch's timeout for every batch left (about 3 x 1.5 s).
      expect(result.exitAfter - result.resolvedAfter).toBeLessThan(EXPORT_TIMEOUT_MS);
      // Every record is accounted for: none was delivered, all are counted as lost.
      expect(result.lost).toBe(RECORDS);
    });
  }
});

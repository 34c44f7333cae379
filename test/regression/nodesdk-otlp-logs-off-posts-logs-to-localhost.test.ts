// Regression: `nodeSdkParts(spec, { otlpEndpoint: 'http://collector:4318', otlpLogs: false })`
// left `logRecordProcessors` out of the config, because the endpoint option counted as "logs
// configured". NodeSDK never reads that option: given no log processors it built its default
// from the environment (OTEL_LOGS_EXPORTER unset means OTLP to localhost:4318), so the records
// other libraries emit (an app's pino lines through instrumentation-pino) were posted to
// localhost:4318, where nothing listened, and shutdown waited out the retries (real NodeSDK
// 0.223, nothing in OTEL_*: one app record, telemetry.shutdown() then sdk.shutdown() 8,342 ms with
// ECONNREFUSED 127.0.0.1:4318 -> 76 ms, nothing posted). With otlpLogs: false and nothing in the
// environment for logs, NodeSDK now gets an empty list (it takes a given list as is, sdk-node 0.223
// and 0.301), as without an endpoint; the environment still wins when it configures logs.
import { afterEach, expect, it } from 'vitest';
import { defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.viewed': { level: 'info', fields: { order_id: { type: 'string' } } } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_LOGS_EXPORTER',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const shutdowns: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const shutdown of shutdowns.splice(0)) await shutdown();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function config(options: { otlpEndpoint?: string; otlpLogs?: boolean }) {
  const made = nodeSdkParts(spec, { logDestination: captureLines().destination, ...options });
  shutdowns.push(() => made.telemetry.shutdown());
  return made.config;
}

it('nodesdk-otlp-logs-off-posts-logs-to-localhost: an endpoint option with otlpLogs false gives NodeSDK no log export', () => {
  for (const name of VARIABLES) delete process.env[name];
  const made = config({ otlpEndpoint: 'http://127.0.0.1:4318', otlpLogs: false });
  expect(made.logRecordProcessors).toEqual([]);
});

it('nodesdk-otlp-logs-off-posts-logs-to-localhost: the environment configuring logs still leaves NodeSDK its setup', () => {
  for (const name of VARIABLES) delete process.env[name];
  process.env.OTEL_LOGS_EXPORTER = 'console';
  const made = config({ otlpEndpoint: 'http://127.0.0.1:4318', otlpLogs: false });
  expect(Object.keys(made)).not.toContain('logRecordProcessors');
});

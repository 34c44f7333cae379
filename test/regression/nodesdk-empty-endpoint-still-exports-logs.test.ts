// Regression: `otlpEndpoint: ''` means no export, even with OTEL_EXPORTER_OTLP_ENDPOINT set in the
// environment (docs/telemetry.md), and createTelemetry and nodeSdkParts exported no span or
// metric then; but nodeSdkParts counted that variable as logs configured and left
// `logRecordProcessors` out of the config, so NodeSDK built its OTLP log export to it from the
// environment and posted the event lines there (real NodeSDK 0.223 with a local receiver as
// OTEL_EXPORTER_OTLP_ENDPOINT: 1 /v1/logs post carrying the `order.placed` event -> nothing
// posted). NodeSDK now gets an empty list; logs configured for NodeSDK by name
// (OTEL_LOGS_EXPORTER, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) still leave it its setup.
import { afterEach, expect, it } from 'vitest';
import { defineTelemetry, nodeSdkParts } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
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

function config(otlpEndpoint: string | undefined) {
  const made = nodeSdkParts(spec, { logDestination: captureLines().destination, otlpEndpoint });
  shutdowns.push(() => made.telemetry.shutdown());
  return made.config;
}

it("nodesdk-empty-endpoint-still-exports-logs: otlpEndpoint '' gives NodeSDK no log export despite OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  for (const name of VARIABLES) delete process.env[name];
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
  expect(config('').logRecordProcessors).toEqual([]);
});

it('nodesdk-empty-endpoint-still-exports-logs: logs configured for NodeSDK by name keep its setup', async () => {
  for (const name of VARIABLES) delete process.env[name];
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
  process.env.OTEL_LOGS_EXPORTER = 'console';
  expect(Object.keys(config(''))).not.toContain('logRecordProcessors');
  await shutdowns.pop()!();
  // Without the option the variable is plumbline's endpoint: its own OTLP log export.
  delete process.env.OTEL_LOGS_EXPORTER;
  expect(config(undefined).logRecordProcessors).toHaveLength(1);
});

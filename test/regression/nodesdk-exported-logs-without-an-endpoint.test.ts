// Regression: nodeSdkParts left `logRecordProcessors` out when no OTLP endpoint was configured,
// so NodeSDK built its default log exporter (OTEL_LOGS_EXPORTER unset means otlp) and posted
// every event line to localhost:4318, where nothing was configured to listen; with nothing there
// the documented SIGTERM recipe took 8-17 s to exit instead of about 50 ms (a newcomer's fastify
// app). NodeSDK takes a given list as is (sdk-node 0.223.0 and 0.300.0: `if
// (configuration.logRecordProcessors)`), so an empty list exports no logs, as plumbline does for
// traces and metrics without an endpoint. Anything configured for logs still wins.
import { afterEach, describe, expect, it } from 'vitest';
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

function parts(options: { otlpEndpoint?: string } = {}) {
  const made = nodeSdkParts(spec, { logDestination: captureLines().destination, ...options });
  shutdowns.push(() => made.telemetry.shutdown());
  return made.config;
}

describe('NodeSDK exported logs without an endpoint (regression)', () => {
  it('gives NodeSDK an empty list of log processors when nothing is configured for logs', () => {
    for (const name of VARIABLES) delete process.env[name];
    const config = parts();
    expect(config.logRecordProcessors).toEqual([]);
  });

  it('leaves NodeSDK its own setup when the environment configures logs alone', async () => {
    for (const name of ['OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_LOGS_EXPORTER'] as const) {
      for (const other of VARIABLES) delete process.env[other];
      process.env[name] = name === 'OTEL_LOGS_EXPORTER' ? 'console' : 'http://127.0.0.1:4318/v1/logs';
      const config = parts();
      expect(Object.keys(config)).not.toContain('logRecordProcessors');
      await shutdowns.pop()!();
    }
  });

  it('gives its own OTLP log processor with an endpoint, from the option or the environment', async () => {
    for (const name of VARIABLES) delete process.env[name];
    expect(parts({ otlpEndpoint: 'http://127.0.0.1:4318' }).logRecordProcessors).toHaveLength(1);
    await shutdowns.pop()!();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:4318';
    expect(parts().logRecordProcessors).toHaveLength(1);
  });
});

// Regression: OTEL_EXPORTER_OTLP_HEADERS (and OTEL_EXPORTER_OTLP_METRICS_HEADERS), how a service
// gives the collector or a vendor gateway its API key, reached the span and log export (OTel's
// exporters read them) but not the metric export, which is plumbline's own: with a key in the
// variable, 1 /v1/traces and 1 /v1/logs post carried it and the 2 /v1/metrics posts did not, so a
// gateway that asks for the key refused every metric export (the spec's instruments, their
// exemplars, the SLO series). They are now read as OTel's exporters read them: the signal's own
// variable over the general one, header by header; with the `otlpEndpoint` option too.
import { createServer } from 'node:http';
import { afterEach, expect, it } from 'vitest';
import { createTelemetry, defineTelemetry, type TelemetryOptions } from '../../src/index.js';
import { captureLines } from '../support/capture.js';

const spec = defineTelemetry({
  service: { name: 'shop' },
  events: { 'order.placed': { level: 'info', fields: {} } },
});

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
const cleanups: (() => Promise<unknown> | unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** An OTLP/HTTP receiver on loopback keeping, per path, the x-api-key of each post. */
async function receiver(): Promise<{ url: string; keys: Record<string, string[]> }> {
  const keys: Record<string, string[]> = {};
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      (keys[request.url ?? ''] ??= []).push(String(request.headers['x-api-key']));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, keys };
}

/** One span with an event line in it, flushed and shut down; the keys each path got, once each. */
async function keysPosted(
  sink: Awaited<ReturnType<typeof receiver>>,
  values: Partial<Record<(typeof VARIABLES)[number], string>>,
  options: TelemetryOptions = {},
): Promise<Record<string, string[]>> {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  for (const path of Object.keys(sink.keys)) delete sink.keys[path];
  const telemetry = createTelemetry(spec, { logDestination: captureLines().destination, ...options });
  telemetry.tracer.startActiveSpan('checkout', (span) => {
    telemetry.log.event('order.placed', {});
    span.end();
  });
  await telemetry.forceFlush();
  await telemetry.shutdown();
  return Object.fromEntries(
    Object.entries(sink.keys)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, keys]) => [path, [...new Set(keys)]]),
  );
}

it('otlp-metric-export-ignores-otlp-headers: every signal carries OTEL_EXPORTER_OTLP_HEADERS', async () => {
  const sink = await receiver();
  expect(
    await keysPosted(sink, {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1',
    }),
  ).toEqual({ '/v1/logs': ['k1'], '/v1/metrics': ['k1'], '/v1/traces': ['k1'] });
});

it('otlp-metric-export-ignores-otlp-headers: the metrics variable over the general one, with the option too', async () => {
  const sink = await receiver();
  expect(
    await keysPosted(
      sink,
      { OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-api-key=k2' },
      { otlpEndpoint: sink.url },
    ),
  ).toEqual({ '/v1/logs': ['k1'], '/v1/metrics': ['k2'], '/v1/traces': ['k1'] });
});

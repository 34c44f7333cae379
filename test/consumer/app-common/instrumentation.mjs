// Started first with `node --import ./instrumentation.mjs app.mjs`, as the OpenTelemetry docs
// teach: the ESM hooks, then NodeSDK with auto-instrumentations and plumbline's parts.
import { register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { NodeSDK } = await import('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = await import('@opentelemetry/auto-instrumentations-node');
// Instrumentations hook their modules as soon as they are made, so from here on pino is
// instrumented, and instrumentation-pino would wrap the loggers plumbline makes next.
const instrumentations = getNodeAutoInstrumentations({
  '@opentelemetry/instrumentation-fs': { enabled: false },
});
// auto-instrumentations has no fastify instrumentation: fastify's own, where the app installs it.
if (process.env.APP_FASTIFY_OTEL === '1') {
  const { FastifyOtelInstrumentation } = await import('@fastify/otel');
  instrumentations.push(new FastifyOtelInstrumentation({ registerOnInitialization: true }));
}
const { nodeSdkParts } = await import('plumbline');
const { spec } = await import('./spec.mjs');

const plumbline = nodeSdkParts(spec, {
  logDestination: process.env.APP_EVENT_LOG,
  metricExportIntervalMs: 500,
});
const sdk = new NodeSDK({ ...plumbline.config, instrumentations });
sdk.start();

process.once('SIGTERM', () => {
  void plumbline.telemetry
    .shutdown()
    .then(() => sdk.shutdown())
    .finally(() => process.exit(0));
});

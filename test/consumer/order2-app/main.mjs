// docs/nodesdk.md, "Start-up order 2": the app's entry module starts NodeSDK itself (no --import),
// then imports the modules to instrument. APP_NO_ESM_HOOK=1 leaves the ESM hook out, as the
// recipe once did.
import { register } from 'node:module';

if (process.env.APP_NO_ESM_HOOK !== '1') register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { NodeSDK } = await import('@opentelemetry/sdk-node');
const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
const { nodeSdkParts } = await import('plumbline');
const { spec } = await import('./spec.mjs');

const plumbline = nodeSdkParts(spec, { logDestination: process.env.APP_EVENT_LOG });
const sdk = new NodeSDK({ ...plumbline.config, instrumentations: [new HttpInstrumentation()] });
sdk.start();

process.once('SIGTERM', () => {
  void plumbline.telemetry
    .shutdown()
    .then(() => sdk.shutdown())
    .finally(() => process.exit(0));
});

await import('./server.mjs'); // calls createTelemetry(spec): the telemetry made above

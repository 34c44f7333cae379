// NodeSDK.start() reduced to what plumbline's parts meet: the providers built from a
// NodeSdkConfig and registered as the globals (sdk-node itself is not a dependency of this repo;
// test/consumer/ runs the real one in packed-tarball apps).
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { NodeSdkConfig } from '../../src/index.js';

/** What NodeSDK.start() does with its configuration, reduced to the providers and globals. */
export function startLikeNodeSdk(
  config: Partial<NodeSdkConfig>,
  cleanups: (() => Promise<unknown> | unknown)[],
) {
  const tracerProvider = new TracerProvider({
    resource: config.resource,
    spanProcessors: config.spanProcessors ?? [],
  });
  const meterProvider = new MeterProvider({
    resource: config.resource,
    readers: config.metricReaders ?? [],
    views: config.views ?? [],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  cleanups.push(() => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]));
  return { tracerProvider, meterProvider };
}

/** Runs `cleanups` newest first (emptying it), then unregisters the OTel API's globals. */
export async function cleanUpAndResetGlobals(cleanups: (() => Promise<unknown> | unknown)[]): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
}

// NodeSDK.start() reduced to what plumbline's parts meet: the providers built from a
// NodeSdkConfig and registered as the globals (sdk-node itself is not a dependency of this repo;
// test/consumer/ runs the real one in packed-tarball apps).
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { NodeSdkConfig } from '../../src/index.js';

export interface StartLikeNodeSdkOptions {
  /**
   * Also the logger provider, as NodeSDK.start() (sdk-node 0.223) makes it: over
   * `config.logRecordProcessors` when the key is there (an empty list too), registered on the
   * global Logs API (api-logs); none when it is absent (NodeSDK would set logs up from the
   * environment, which this does not). Off by default: tests that register a logger provider
   * of their own (OTel keeps the first) leave it off.
   */
  readonly logs?: boolean;
}

/** What NodeSDK.start() does with its configuration, reduced to the providers and globals. */
export function startLikeNodeSdk(
  config: Partial<NodeSdkConfig>,
  cleanups: (() => Promise<unknown> | unknown)[],
  options: StartLikeNodeSdkOptions = {},
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
  // NodeSDK registers the logger provider last, in the same call.
  const loggerProvider =
    options.logs === true && config.logRecordProcessors !== undefined
      ? new LoggerProvider({ resource: config.resource, processors: config.logRecordProcessors })
      : undefined;
  if (loggerProvider !== undefined) {
    logs.setGlobalLoggerProvider(loggerProvider);
    cleanups.push(() => logs.disable());
  }
  // sdk.shutdown(): the three providers at once.
  cleanups.push(() =>
    Promise.all([tracerProvider.shutdown(), meterProvider.shutdown(), loggerProvider?.shutdown()]),
  );
  return { tracerProvider, meterProvider, loggerProvider };
}

/** Runs `cleanups` newest first (emptying it), then unregisters the OTel API's globals. */
export async function cleanUpAndResetGlobals(cleanups: (() => Promise<unknown> | unknown)[]): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
}

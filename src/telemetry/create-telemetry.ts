// createTelemetry: assembles the SDK for one service from its spec — tracer, meter and logger
// providers with the service's resource, the event logger, optional OTLP export — registers
// them as the OTel globals, and gives one shutdown. When nodeSdkParts already put plumbline
// into NodeSDK, it returns that telemetry instead; when another SDK owns the globals, it fails
// with the fix rather than running beside it unseen.
import {
  context,
  diag,
  metrics as metricsApi,
  propagation,
  trace,
  type Meter,
  type MeterProvider as ApiMeterProvider,
  type Tracer,
  type TracerProvider as ApiTracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventLogger, EventLoggerOptions } from '../logs/event-logger.js';
import type { SecurityStreamOptions } from '../logs/security-stream.js';
import type { Metrics } from '../metrics/create-metrics.js';
import type { ExemplarFilter } from '../metrics/exemplar-filter.js';
import type { histogramQuantile } from '../metrics/quantile.js';
import type { SamplerStats } from '../sampling/sampler-stats.js';
import type { SamplingPolicy } from '../sampling/policy.js';
import type { SloStatus } from '../slo/engine.js';
import type { LogLevel, TelemetrySpec } from '../spec/types.js';
import { onUse } from '../require-on-use.js';
import { resolveSpec } from '../spec/model.js';
import { assemble, SCOPE, telemetryOf } from './assemble.js';
import { checkTelemetryOptionValues, exportTiming } from './check-options.js';
import { diagFromEnv, logRecordLimitsFromEnv, spanLimitsFromEnv } from './otlp-env.js';
import { globalLogsApi, type BridgeLoggerProvider } from './logs-api.js';
import {
  attachedTelemetry,
  NODE_SDK_TELEMETRY_SHUT_DOWN,
  nodeSdkTelemetryShutDown,
  sdkTracerProvider,
} from './node-sdk-parts.js';
import { registerDefaultPropagator } from './propagation.js';
import { serviceResource } from './resource.js';

/**
 * Options of createTelemetry and nodeSdkParts. Every option may be given as undefined, which
 * means the same as leaving it out (`otlpEndpoint: process.env.COLLECTOR` under
 * exactOptionalPropertyTypes).
 */
export interface TelemetryOptions {
  /** Event log destination: a pino destination stream, a file path, or a file descriptor (default 1). */
  readonly logDestination?: EventLoggerOptions['destination'] | undefined;
  readonly logLevel?: LogLevel | undefined;
  /** Throw on schema violations instead of counting them (for tests). */
  readonly strict?: boolean | undefined;
  /**
   * OTLP/HTTP base URL (e.g. http://127.0.0.1:4318) for traces, metrics and (with otlpLogs)
   * logs; given, it wins over the environment, and '' means no export. Default, per signal:
   * OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as it is, else OTEL_EXPORTER_OTLP_ENDPOINT +
   * /v1/<signal>; unset means no export. OTEL_<SIGNAL>_EXPORTER=none turns a signal's export off,
   * OTEL_SDK_DISABLED=true every signal's. The export is OTLP/HTTP (JSON): a signal exported with
   * OTEL_EXPORTER_OTLP_[<SIGNAL>_]PROTOCOL=grpc is refused (TelemetryOptionsError).
   */
  readonly otlpEndpoint?: string | undefined;
  /**
   * Also send event lines to OTel Logs over OTLP. Default true when an OTLP endpoint is set;
   * false leaves plumbline's OTLP log export out (`logRecordProcessors` still get the lines).
   */
  readonly otlpLogs?: boolean | undefined;
  /**
   * Timeout of every OTLP export (spans, metrics, logs), its retries included, in ms; also the
   * bound of each shutdown/flush step. Default, per signal: OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT,
   * else OTEL_EXPORTER_OTLP_TIMEOUT, else 10,000 (the steps bounded by the longest).
   */
  readonly exportTimeoutMs?: number | undefined;
  /** Largest number of spans waiting for export; more are dropped and counted. Default OTEL_BSP_MAX_QUEUE_SIZE, else 2048. */
  readonly maxQueuedSpans?: number | undefined;
  /** Largest number of log records waiting for OTLP export; more are dropped and counted. Default OTEL_BLRP_MAX_QUEUE_SIZE, else 2048. */
  readonly maxQueuedLogRecords?: number | undefined;
  /** Metric exports in flight at once; a batch that finds them all busy is dropped and counted. Default 1. */
  readonly maxPendingMetricExports?: number | undefined;
  /**
   * Bytes of event-log lines buffered for a slow or blocked destination (file path or fd);
   * beyond it lines are dropped and counted. Default 16 MiB.
   */
  readonly logMaxBufferedBytes?: number | undefined;
  /** /metrics responses in flight at once; more get 503 and are counted. Default 4. */
  readonly maxConcurrentScrapes?: number | undefined;
  /** A /metrics response not handed to the OS within this many ms is cut off and counted. Default 10,000. */
  readonly scrapeTimeoutMs?: number | undefined;
  /**
   * Extra span processors (e.g. an in-memory exporter in tests). They sit behind the tail
   * sampler with the OTLP exporter, so they see only the traces it keeps.
   */
  readonly spanProcessors?: readonly SpanProcessor[] | undefined;
  /**
   * The in-process tail sampler (spec.sampling). Default: on when the spec has a sampling
   * section; 'dry-run' decides and reports but keeps everything; false turns it off (e.g.
   * when the collector's gateway tier samples instead).
   */
  readonly tailSampling?: boolean | 'dry-run' | undefined;
  /**
   * The tail sampler's policy chain, for custom policies: start from
   * `buildPolicies(spec.sampling.policies)` and insert yours (`SamplingPolicy`,
   * `BaseSamplingPolicy`, `SpanMatchPolicy`) where they belong. Default: the spec's policies.
   */
  readonly samplingPolicies?: readonly SamplingPolicy[] | undefined;
  /** Extra metric readers for the meter provider. */
  readonly metricReaders?: readonly MetricReader[] | undefined;
  /**
   * Extra log record processors (e.g. an in-memory exporter in tests, or an exporter of your
   * own): given to the logger provider beside plumbline's OTLP log export, so they receive the
   * event lines (and, under NodeSDK, every other OTel Logs record), also without an endpoint and
   * with `otlpLogs: false`. Under NodeSDK pass them here, not as NodeSDK's `logRecordProcessors`
   * after `...plumbline.config`, which replaces plumbline's.
   */
  readonly logRecordProcessors?: readonly LogRecordProcessor[] | undefined;
  /** Register the providers as the OTel globals (default true); shutdown() unregisters them. */
  readonly registerGlobal?: boolean | undefined;
  /** Where security events go (never the application log). Default: stderr. */
  readonly securityLogDestination?: EventLoggerOptions['destination'] | undefined;
  /** Folding of repeated security events (window, lines per window). */
  readonly securityLog?: SecurityStreamOptions | undefined;
  /** Default: OTEL_METRICS_EXEMPLAR_FILTER, else trace_based. */
  readonly exemplarFilter?: ExemplarFilter | undefined;
  /** Interval of the OTLP metric export, in ms. Default OTEL_METRIC_EXPORT_INTERVAL, else 15,000. */
  readonly metricExportIntervalMs?: number | undefined;
  /**
   * Most UTF-8 bytes of one attribute value on a metric series (a label value); longer values are
   * cut and counted in plumbline_metrics_dropped_total{reason="label_value_truncated"}. Default
   * 2048 (createMetrics' labelValueLengthLimit).
   */
  readonly labelValueLengthLimit?: number | undefined;
}

export interface Telemetry<S extends TelemetrySpec = TelemetrySpec> {
  readonly spec: S;
  readonly log: EventLogger<S>;
  /** The spec's instruments (histograms with exemplars, counters, gauges) and the SDK's own. */
  readonly metrics: Metrics<S>;
  /**
   * A node:http handler serving GET /metrics (Prometheus text, or OpenMetrics when asked): the
   * spec's instruments and plumbline's own, then every other instrument of the meter provider.
   */
  readonly metricsHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** The in-process SLO calculator: burn rates per window, tiers firing, budget left. */
  readonly slo: { status(): SloStatus[] };
  /** The tail sampler, when on: what it decided and why, what it buffers. */
  readonly sampler: { stats(): SamplerStats } | undefined;
  /** Quantiles from bucket counts exactly as Prometheus's histogram_quantile. */
  readonly histogramQuantile: typeof histogramQuantile;
  readonly tracer: Tracer;
  /**
   * The OTel meter for instruments the spec does not declare. They reach the meter provider's
   * readers (OTLP, `metricReaders`) and /metrics, without exemplars or SLOs: declare a metric
   * in the spec for those.
   */
  readonly meter: Meter;
  /** plumbline's tracer provider, or under NodeSDK the global one (NodeSDK's). */
  readonly tracerProvider: ApiTracerProvider;
  readonly meterProvider: ApiMeterProvider;
  /** Flushes and stops everything; safe to call more than once. */
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

export function createTelemetry<const S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions = {},
): Telemetry<S> {
  resolveSpec(spec);
  // Checked before attaching too: a misspelt or ill-typed option is refused either way, not only
  // reported as ignored.
  checkTelemetryOptionValues(options);
  // The telemetry nodeSdkParts made: its options and the OTEL_* variables were read there (read
  // again, each warning about them was given twice), and NodeSDK has set the diag logger.
  // Regression: otel-variable-warning-given-twice-under-nodesdk.
  const attached = attachedTelemetry(spec, options);
  if (attached !== undefined) return attached;
  // Before the variables are read, so what their reading warns about is seen. Not for providers
  // nothing else uses: the diag logger is a global.
  if (options.registerGlobal !== false) diagFromEnv();
  const timing = exportTiming(options);
  const registerGlobal = options.registerGlobal !== false;
  // Checked before anything starts: a second SDK beside NodeSDK (or another createTelemetry)
  // would see no span of the instrumentations, so the tail sampler would decide nothing.
  if (registerGlobal) refuseWhenAnotherSdkIsRegistered();

  const resource = serviceResource(spec);
  const assembly = assemble(spec, options, timing);
  const { parts } = assembly;
  // The head sampler is the SDK default, ParentBased(AlwaysOn): every span is recorded, so the
  // tail sampler sees whole traces and decides which ones leave the process.
  // NodeSDK gives its providers the OTEL_*_LIMIT variables; sdk-trace's and sdk-logs' providers
  // read none, so here they were ignored (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=5: a 10-character span
  // attribute exported whole -> 5). Regression: otel-attribute-limits-ignored.test.ts.
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: parts.spanProcessors,
    spanLimits: spanLimitsFromEnv(),
  });
  const { MeterProvider } = onUse('@opentelemetry/sdk-metrics');
  const meterProvider = new MeterProvider({ resource, readers: parts.metricReaders, views: parts.views });
  // sdk-metrics loads here, not at import; sdk-logs only when logs are exported (assemble made a
  // log record processor) or the app gave log record processors of its own.
  const logProcessors = [
    ...(parts.logRecordProcessor === undefined ? [] : [parts.logRecordProcessor]),
    ...(options.logRecordProcessors ?? []),
  ];
  const loggerProvider =
    logProcessors.length === 0
      ? undefined
      : new (onUse('@opentelemetry/sdk-logs').LoggerProvider)({
          resource,
          processors: logProcessors,
          logRecordLimits: logRecordLimitsFromEnv((message) => diag.warn(message)),
        });

  // The propagator is ours only when the app had none: shutdown must not remove the app's.
  const ownsPropagator = registerGlobal && registerDefaultPropagator();
  let ownsContextManager = false;
  // The meter and logger providers likewise: an app's own, registered before, stays the global
  // one (OTel keeps the first), and shutdown removed it (its records after that were lost: 1 -> 0).
  // Regression: shutdown-unregisters-the-apps-own-meter-and-logger-providers.test.ts.
  let ownsMeterProvider = false;
  let ownsLoggerProvider = false;
  if (registerGlobal) {
    trace.setGlobalTracerProvider(tracerProvider);
    ownsContextManager = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    ownsMeterProvider = metricsApi.setGlobalMeterProvider(meterProvider);
    if (loggerProvider !== undefined)
      void globalLogsApi().then((logs) => {
        // api 1.10 answers true or false; api-logs 0.223 the provider that is the global one.
        const registered: unknown = logs?.setGlobalLoggerProvider(loggerProvider as BridgeLoggerProvider);
        ownsLoggerProvider = registered === true || registered === loggerProvider;
      });
  }

  return telemetryOf(spec, options, assembly, {
    bridgeLogger: loggerProvider?.getLogger(SCOPE.name, SCOPE.version),
    tracer: () => tracerProvider.getTracer(SCOPE.name, SCOPE.version),
    meter: () => meterProvider.getMeter(SCOPE.name, SCOPE.version),
    tracerProvider: () => tracerProvider,
    meterProvider: () => meterProvider,
    forceFlush: () => [
      () => tracerProvider.forceFlush(),
      () => meterProvider.forceFlush(),
      () => loggerProvider?.forceFlush(),
    ],
    shutdown: () => [
      () => tracerProvider.shutdown(),
      () => meterProvider.shutdown(),
      () => loggerProvider?.shutdown(),
    ],
    releaseGlobals: () => {
      if (!registerGlobal) return;
      trace.disable();
      if (ownsContextManager) context.disable();
      if (ownsPropagator) propagation.disable();
      if (ownsMeterProvider) metricsApi.disable();
      // After the registration above (the same promise, callbacks in order).
      if (loggerProvider !== undefined)
        void globalLogsApi().then((logs) => {
          if (ownsLoggerProvider) logs?.disable();
        });
    },
  });
}

/** The fix, in the words a user searches for, when another SDK already owns the globals. */
export const ANOTHER_SDK_REGISTERED =
  'plumbline: a global OpenTelemetry tracer provider is already registered (NodeSDK, or another ' +
  "createTelemetry), so plumbline's tail sampler would never see its spans. With NodeSDK, put plumbline into " +
  'it instead: `const plumbline = nodeSdkParts(spec, options)` and `new NodeSDK({ ...plumbline.config, ' +
  'instrumentations })` (docs/nodesdk.md); createTelemetry(spec) then returns that telemetry. In tests that ' +
  "make one telemetry per test, call the previous one's shutdown() first (it lets go of the globals at " +
  'once; await it for its flush) (docs/telemetry.md#testing). registerGlobal: false runs plumbline with ' +
  'providers of its own that nothing else uses, and no context manager: the active span is then not seen, ' +
  'so pass contexts explicitly.';

/** createTelemetry found the OTel globals taken: see ANOTHER_SDK_REGISTERED for the ways out. */
export class GlobalsAlreadyRegisteredError extends Error {
  readonly code = 'PLUMBLINE_GLOBALS_REGISTERED';
  constructor(message = ANOTHER_SDK_REGISTERED) {
    super(message);
    this.name = 'GlobalsAlreadyRegisteredError';
  }
}

function refuseWhenAnotherSdkIsRegistered(): void {
  if (sdkTracerProvider() !== undefined)
    throw new GlobalsAlreadyRegisteredError(
      nodeSdkTelemetryShutDown() ? NODE_SDK_TELEMETRY_SHUT_DOWN : ANOTHER_SDK_REGISTERED,
    );
}

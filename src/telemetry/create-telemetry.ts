// createTelemetry: assembles the SDK for one service from its spec — tracer and meter providers
// with the service's resource, the event logger, optional OTLP export — and one shutdown.
import {
  context,
  diag,
  metrics as metricsApi,
  propagation,
  trace,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import { logs as logsApi } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  createEventLogger,
  UNKNOWN_EVENT_LABEL,
  type EventLogger,
  type EventLoggerOptions,
} from '../logs/event-logger.js';
import { otelLogBridge } from '../logs/otel-bridge.js';
import { VIOLATION_REASONS } from '../logs/violations.js';
import type { SecurityStreamOptions } from '../logs/security-stream.js';
import { createMetrics, type Metrics, type MetricsOptions } from '../metrics/create-metrics.js';
import type { ExemplarFilter } from '../metrics/exemplar-filter.js';
import { OtlpJsonMetricExporter } from '../metrics/otlp-json-exporter.js';
import { metricsRequestHandler } from '../metrics/request-handler.js';
import type { LogLevel, TelemetrySpec } from '../spec/types.js';
import { EXEMPLAR_SPAN_ATTRIBUTE, sdkSeries } from '../spec/naming.js';
import { validateSpec } from '../spec/validate.js';
import { TailSamplingProcessor } from '../sampling/tail-sampling-processor.js';
import type { SamplerStats } from '../sampling/sampler-stats.js';
import type { SamplingPolicy } from '../sampling/policy.js';
import { createSloEngine, type SloEngine, type SloStatus } from '../slo/engine.js';
import { histogramQuantile } from '../metrics/quantile.js';
import { BoundedMetricExporter } from './bounded-metric-exporter.js';
import { checkTelemetryOptions } from './check-options.js';
import { boundedScrapeHandler } from './bounded-scrape-handler.js';
import { FanOutSpanProcessor } from './fan-out-span-processor.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { registerDefaultPropagator } from './propagation.js';
import { serviceResource } from './resource.js';
import { exposeSamplerStats, exposeSloStatus } from './self-metrics.js';

export interface TelemetryOptions {
  /** Event log destination: a pino destination stream, a file path, or a file descriptor (default 1). */
  readonly logDestination?: EventLoggerOptions['destination'];
  readonly logLevel?: LogLevel;
  /** Throw on schema violations instead of counting them (for tests). */
  readonly strict?: boolean;
  /**
   * OTLP/HTTP base URL (e.g. http://127.0.0.1:4318) for traces, metrics and (with otlpLogs)
   * logs. Default: OTEL_EXPORTER_OTLP_ENDPOINT; unset means no export.
   */
  readonly otlpEndpoint?: string;
  /** Also send event lines to OTel Logs over OTLP. Default true when an OTLP endpoint is set. */
  readonly otlpLogs?: boolean;
  /**
   * Per-request timeout of every OTLP export (spans, metrics, logs), in ms; also the bound of
   * each shutdown/flush step. Default 10,000.
   */
  readonly exportTimeoutMs?: number;
  /** Largest number of spans waiting for export; more are dropped and counted. Default 2048. */
  readonly maxQueuedSpans?: number;
  /** Largest number of log records waiting for OTLP export; more are dropped and counted. Default 2048. */
  readonly maxQueuedLogRecords?: number;
  /** Metric exports in flight at once; a batch that finds them all busy is dropped and counted. Default 1. */
  readonly maxPendingMetricExports?: number;
  /**
   * Bytes of event-log lines buffered for a slow or blocked destination (file path or fd);
   * beyond it lines are dropped and counted. Default 16 MiB.
   */
  readonly logMaxBufferedBytes?: number;
  /** /metrics responses in flight at once; more get 503 and are counted. Default 4. */
  readonly maxConcurrentScrapes?: number;
  /** A /metrics response not handed to the OS within this many ms is cut off and counted. Default 10,000. */
  readonly scrapeTimeoutMs?: number;
  /**
   * Extra span processors (e.g. an in-memory exporter in tests). They sit behind the tail
   * sampler with the OTLP exporter, so they see only the traces it keeps.
   */
  readonly spanProcessors?: readonly SpanProcessor[];
  /**
   * The in-process tail sampler (spec.sampling). Default: on when the spec has a sampling
   * section; 'dry-run' decides and reports but keeps everything; false turns it off (e.g.
   * when the collector's gateway tier samples instead).
   */
  readonly tailSampling?: boolean | 'dry-run';
  /**
   * The tail sampler's policy chain, for custom policies: start from
   * `buildPolicies(spec.sampling.policies)` and insert yours (`SamplingPolicy`,
   * `BaseSamplingPolicy`, `SpanMatchPolicy`) where they belong. Default: the spec's policies.
   */
  readonly samplingPolicies?: readonly SamplingPolicy[];
  /** Extra metric readers for the meter provider. */
  readonly metricReaders?: readonly MetricReader[];
  /** Register the providers as the OTel globals (default true); shutdown() unregisters them. */
  readonly registerGlobal?: boolean;
  /** Where security events go (never the application log). Default: stderr. */
  readonly securityLogDestination?: EventLoggerOptions['destination'];
  /** Folding of repeated security events (window, lines per window). */
  readonly securityLog?: SecurityStreamOptions;
  /** Default: OTEL_METRICS_EXEMPLAR_FILTER, else trace_based. */
  readonly exemplarFilter?: ExemplarFilter;
  /** Interval of the OTLP metric export, in ms. Default 15,000. */
  readonly metricExportIntervalMs?: number;
}

export interface Telemetry<S extends TelemetrySpec = TelemetrySpec> {
  readonly spec: S;
  readonly log: EventLogger<S>;
  /** The spec's instruments (histograms with exemplars, counters, gauges) and the SDK's own. */
  readonly metrics: Metrics<S>;
  /** A node:http handler serving GET /metrics (Prometheus text, or OpenMetrics when asked). */
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
   * readers (OTLP, `metricReaders`), not `metricsHandler`'s /metrics, which serves the spec's.
   */
  readonly meter: Meter;
  readonly tracerProvider: NodeTracerProvider;
  readonly meterProvider: MeterProvider;
  /** Flushes and stops everything; safe to call more than once. */
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

export function createTelemetry<const S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions = {},
): Telemetry<S> {
  validateSpec(spec);
  const timing = checkTelemetryOptions(options);
  const resource = serviceResource(spec);
  const otlpEndpoint = trimSlash(options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const timeoutMillis = timing.exportTimeoutMs;
  const sloEngine: SloEngine | undefined =
    spec.slos !== undefined && Object.keys(spec.slos).length > 0 ? createSloEngine(spec) : undefined;
  const metricsOptions: MetricsOptions = {
    exemplarFilter: options.exemplarFilter,
    listeners: sloEngine?.listeners,
    onExemplar: (traceId, _spanId, span) => {
      if (sampler !== undefined && !sampler.markExemplar(traceId)) return false;
      // Mark the span too, so the collector's tail_sampling keeps the trace when it samples.
      span.setAttribute(EXEMPLAR_SPAN_ATTRIBUTE, true);
      return true;
    },
  };
  const metrics = createMetrics(spec, metricsOptions);
  // Before the processors: their self-observability (drops, queue sizes) lands in its families.
  const pipeline = new PipelineMetrics(metrics);

  const exportProcessors: SpanProcessor[] = [];
  if (otlpEndpoint !== undefined) {
    // selfObsMeterProvider is read by sdk-trace's BatchSpanProcessor (2.12, experimental) but
    // not declared by sdk-trace-base's shim config type, which passes it through unchanged.
    const spanConfig = {
      maxQueueSize: options.maxQueuedSpans ?? 2048,
      exportTimeoutMillis: timeoutMillis,
      selfObsMeterProvider: pipeline.meterProvider('span'),
    };
    exportProcessors.push(
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${otlpEndpoint}/v1/traces`, timeoutMillis }),
        spanConfig,
      ),
    );
  }
  exportProcessors.push(...(options.spanProcessors ?? []));
  const exportProcessor =
    exportProcessors.length === 1 ? exportProcessors[0]! : new FanOutSpanProcessor(exportProcessors);
  const samplingMode = options.tailSampling ?? tailSamplingFromEnv() ?? spec.sampling !== undefined;
  const sampler =
    spec.sampling !== undefined && samplingMode !== false
      ? new TailSamplingProcessor(spec.sampling, exportProcessor, {
          dryRun: samplingMode === 'dry-run' ? true : undefined,
          policies: options.samplingPolicies,
        })
      : undefined;
  // The head sampler is the SDK default, ParentBased(AlwaysOn): every span is recorded, so the
  // tail sampler sees whole traces and decides which ones leave the process.
  const tracerProvider = new NodeTracerProvider({ resource, spanProcessors: [sampler ?? exportProcessor] });

  if (sampler !== undefined) exposeSamplerStats(metrics, sampler);
  if (sloEngine !== undefined) exposeSloStatus(metrics, sloEngine);
  const readers: MetricReader[] = [...(options.metricReaders ?? [])];
  if (otlpEndpoint !== undefined) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new BoundedMetricExporter(
          new OtlpJsonMetricExporter({
            endpoint: otlpEndpoint,
            timeoutMillis: timing.metricExportTimeoutMs,
            failures: metrics.selfCounter(
              sdkSeries.otlpMetricExportFailures,
              'OTLP metric exports that failed after every retry, by reason (timeout or error).',
              ['reason'],
            ),
          }),
          options.maxPendingMetricExports ?? 1,
          pipeline,
        ),
        exportIntervalMillis: timing.metricExportIntervalMs,
        exportTimeoutMillis: timing.metricExportTimeoutMs,
        metricProducers: [metrics.producer],
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });

  let loggerProvider: LoggerProvider | undefined;
  if (otlpEndpoint !== undefined && options.otlpLogs !== false) {
    loggerProvider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({
          exporter: new OTLPLogExporter({ url: `${otlpEndpoint}/v1/logs`, timeoutMillis }),
          exportTimeoutMillis: timeoutMillis,
          maxQueueSize: options.maxQueuedLogRecords ?? 2048,
          selfObsMeterProvider: pipeline.meterProvider('log_record'),
        }),
      ],
    });
  }

  const registerGlobal = options.registerGlobal !== false;
  // The propagator is ours only when the app had none: shutdown must not remove the app's.
  const ownsPropagator = registerGlobal && registerDefaultPropagator();
  if (registerGlobal) {
    tracerProvider.register({ propagator: null });
    metricsApi.setGlobalMeterProvider(meterProvider);
    if (loggerProvider !== undefined) logsApi.setGlobalLoggerProvider(loggerProvider);
  }

  const violations = metrics.selfCounter(
    sdkSeries.logSchemaViolations,
    'Event log calls that broke their schema, by event and reason.',
    ['event', 'reason'],
  );
  // Every declared event's series exist at 0 from the first scrape, so rate() and increase()
  // see a burst of violations right after a deploy instead of starting from it.
  for (const event of Object.keys(spec.events)) {
    for (const reason of VIOLATION_REASONS)
      if (reason !== 'unknown_event') violations.add(0, { event, reason });
  }
  violations.add(0, { event: UNKNOWN_EVENT_LABEL, reason: 'unknown_event' });
  const securityEvents = metrics.selfCounter(
    sdkSeries.securityEvents,
    'Security events, folded or not, by event and outcome.',
    ['event', 'outcome'],
  );
  const droppedLogBytes = metrics.selfCounter(
    sdkSeries.logDroppedBytes,
    'Bytes of log lines dropped because the destination could not keep up.',
    [],
  );
  const log = createEventLogger(spec, {
    destination: options.logDestination,
    securityDestination: options.securityLogDestination,
    security: options.securityLog,
    level: options.logLevel,
    strict: options.strict,
    onViolation: (event, reason) => violations.add(1, { event, reason }),
    onSecurityEvent: (event, outcome) => securityEvents.add(1, { event, outcome }),
    maxBufferedBytes: options.logMaxBufferedBytes,
    // One sonic-boom 'drop' is one refused write, i.e. one line; 0 bytes is a destination error.
    onDrop: (bytes) => {
      droppedLogBytes.add(bytes, {});
      pipeline.drop('log_line', bytes === 0 ? 'destination_error' : 'destination_full');
    },
    bridge: loggerProvider === undefined ? undefined : otelLogBridge(loggerProvider.getLogger('plumbline')),
  });

  let shutdownPromise: Promise<void> | undefined;
  const scope = { name: 'plumbline', version: '0.1.0' };
  return {
    spec,
    log,
    metrics,
    metricsHandler: boundedScrapeHandler(
      metricsRequestHandler(metrics),
      { maxConcurrent: options.maxConcurrentScrapes ?? 4, timeoutMs: options.scrapeTimeoutMs ?? 10_000 },
      pipeline,
    ),
    slo: { status: () => sloEngine?.status() ?? [] },
    sampler: sampler === undefined ? undefined : { stats: () => sampler.stats() },
    histogramQuantile,
    tracer: tracerProvider.getTracer(scope.name, scope.version),
    meter: meterProvider.getMeter(scope.name, scope.version),
    tracerProvider,
    meterProvider,
    async forceFlush() {
      await settle(timeoutMillis, [
        log.flush(),
        tracerProvider.forceFlush(),
        meterProvider.forceFlush(),
        loggerProvider?.forceFlush(),
      ]);
    },
    shutdown() {
      shutdownPromise ??= (async () => {
        await settle(timeoutMillis, [
          tracerProvider.shutdown(),
          meterProvider.shutdown(),
          loggerProvider?.shutdown(),
          log.close(),
        ]);
        if (registerGlobal) {
          trace.disable();
          context.disable();
          if (ownsPropagator) propagation.disable();
          metricsApi.disable();
          if (loggerProvider !== undefined) logsApi.disable();
        }
      })();
      return shutdownPromise;
    },
  };
}

/**
 * Waits for every step, each for at most `timeoutMs` (a black-holed endpoint or a blocked log
 * pipe must not hold the host's shutdown); a failing or late step is reported to the OTel diag
 * logger, never thrown.
 */
async function settle(timeoutMs: number, steps: ReadonlyArray<Promise<unknown> | undefined>): Promise<void> {
  const bounded = steps.map((step) => {
    if (step === undefined) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`step not done within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    return Promise.race([step, late]).finally(() => clearTimeout(timer));
  });
  for (const result of await Promise.allSettled(bounded)) {
    if (result.status === 'rejected') diag.warn('plumbline: flush/shutdown step failed', result.reason);
  }
}

/**
 * PLUMBLINE_TAIL_SAMPLING = on | off | dry-run: the sampler as a feature flag, switched by a
 * restart with a new environment rather than a deploy. Anything else is ignored (and said so).
 */
function tailSamplingFromEnv(): boolean | 'dry-run' | undefined {
  const value = process.env.PLUMBLINE_TAIL_SAMPLING?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'on') return true;
  if (value === 'off') return false;
  if (value === 'dry-run') return 'dry-run';
  diag.warn(`plumbline: PLUMBLINE_TAIL_SAMPLING="${value}" is not on, off or dry-run; using the default`);
  return undefined;
}

function trimSlash(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  return url.replace(/\/+$/, '');
}

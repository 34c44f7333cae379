// plumbline's pipeline before any OTel provider exists: the spec's instruments, the tail sampler
// in front of the export processors, the metric readers, the OTLP log processor and the event
// logger. createTelemetry puts these parts into providers of its own; nodeSdkParts hands them
// to NodeSDK, so both homes run the same pipeline.
import { diag, type Meter, type MeterProvider as ApiMeterProvider, type Tracer } from '@opentelemetry/api';
import type { TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { MetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { createEventLogger, UNKNOWN_EVENT_LABEL, type EventLogger } from '../logs/event-logger.js';
import { otelLogBridge, type OtelLogger } from '../logs/otel-bridge.js';
import { VIOLATION_REASONS } from '../logs/violations.js';
import { createMetrics, type Metrics, type MetricsOptions } from '../metrics/create-metrics.js';
import { OtlpJsonMetricExporter } from '../metrics/otlp-json-exporter.js';
import { histogramQuantile } from '../metrics/quantile.js';
import { metricsRequestHandler } from '../metrics/request-handler.js';
import { ExemplarKeepLimit } from '../sampling/exemplar-keep-limit.js';
import { exemplarTracesPerSecond } from '../spec/sampling-settings.js';
import { TailSamplingProcessor } from '../sampling/tail-sampling-processor.js';
import { onUse } from '../require-on-use.js';
import { createSloEngine, type SloEngine } from '../slo/engine.js';
import { EXEMPLAR_SPAN_ATTRIBUTE, sdkSeries } from '../spec/naming.js';
import type { TelemetrySpec } from '../spec/types.js';
import { BoundedMetricExporter } from './bounded-metric-exporter.js';
import { boundedScrapeHandler } from './bounded-scrape-handler.js';
import {
  BoundedShutdownLogRecordProcessor,
  ExportConnections,
  GivingUpLogExporter,
  OtlpBatchSpanProcessor,
  tlsFilesFromEnv,
} from './otlp-export-processors.js';
import { checkOtlpProtocols, type ExportTiming } from './check-options.js';
import { batchSettings, otlpCompression, OTLP_SIGNALS, signalEndpoint, type OtlpSignal } from './otlp-env.js';
import type { Telemetry, TelemetryOptions } from './create-telemetry.js';
import { FanOutSpanProcessor } from './fan-out-span-processor.js';
import { HttpServerErrorTypeProcessor } from './http-server-error-type.js';
import { meterProviderScrapeReader, type MeterProviderScrapeReader } from './meter-provider-scrape-reader.js';
import {
  countPartialSuccess,
  OTLP_REJECTED_LOG_RECORDS,
  OTLP_REJECTED_SPANS,
} from './otlp-partial-success.js';
import { FailureReport } from './otlp-failure-report.js';
import { PipelineMetrics } from './pipeline-metrics.js';
import { settle, type SettleOptions, type Step } from './settle.js';
import { exposeSamplerStats, exposeSloStatus } from './self-metrics.js';
import { specInstrumentViews } from './spec-instrument-views.js';

export const SCOPE = { name: 'plumbline', version: '0.1.0' } as const;

/** The parts an OTel SDK (plumbline's own providers, or NodeSDK's) is built from. */
export interface PipelineParts {
  /** The tail sampler in front of the export processors, or the export processors alone. */
  readonly spanProcessor: SpanProcessor;
  /**
   * What a tracer provider is given: `spanProcessor`, after the one completing error.type on 5xx
   * server spans when the spec's server spans follow the HTTP convention.
   */
  readonly spanProcessors: SpanProcessor[];
  /** For the meter provider: drop its instruments that have a spec instrument's name. */
  readonly views: ViewOptions[];
  /** The application's readers, OTLP (with the spec's instruments and exemplars), and /metrics'. */
  readonly metricReaders: MetricReader[];
  /** OTLP log export, when there is an endpoint and otlpLogs is not false. */
  readonly logRecordProcessor: LogRecordProcessor | undefined;
}

export interface Assembly<S extends TelemetrySpec> {
  readonly parts: PipelineParts;
  readonly metrics: Metrics<S>;
  readonly pipeline: PipelineMetrics;
  readonly sampler: TailSamplingProcessor | undefined;
  readonly sloEngine: SloEngine | undefined;
  readonly scrapeReader: MeterProviderScrapeReader;
  /** The OTLP metric reader, when there is an endpoint (nodeSdkParts shuts it down itself). */
  readonly otlpMetricReader: MetricReader | undefined;
  readonly timing: ExportTiming;
}

export function assemble<const S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions,
  timing: ExportTiming,
  urls: OtlpUrls = otlpUrls(options.otlpEndpoint),
): Assembly<S> {
  // Before anything is made: an export no receiver on the endpoint can take is refused at start.
  checkOtlpProtocols(
    OTLP_SIGNALS.filter(
      (signal) => urls[signal] !== undefined && (signal !== 'logs' || options.otlpLogs !== false),
    ),
  );
  const sloEngine: SloEngine | undefined =
    spec.slos !== undefined && Object.keys(spec.slos).length > 0
      ? // The engine reads attribute values cut as the series' labels are.
        createSloEngine(spec, { labelValueLengthLimit: options.labelValueLengthLimit })
      : undefined;
  // Without the in-process sampler, the span attribute asks the collector's tail_sampling to keep
  // the trace: bounded the same way, at the spec's exemplar rule's rate (its default without one).
  const collectorExemplarLimit = new ExemplarKeepLimit(exemplarTracesPerSecond(spec.sampling?.policies));
  // Exemplars refused because their span had ended (or was never recorded here) with no
  // in-process sampler to keep the trace: the span can carry no mark for the collector.
  let unmarkableExemplars = 0;
  const metricsOptions: MetricsOptions = {
    exemplarFilter: options.exemplarFilter,
    labelValueLengthLimit: options.labelValueLengthLimit,
    listeners: sloEngine?.listeners,
    onExemplar: (traceId, _spanId, span, slotAgeMs) => {
      // A measurement recorded after its span ended (in a response's 'close' listener, after
      // instrumentation-http's) cannot mark it: setAttribute on an ended span does nothing.
      const markable = span.isRecording();
      if (sampler !== undefined) {
        // The in-process sampler keeps the trace by its ID, ended span or not, and marks the
        // spans of a trace whose exemplar's span had ended when it forwards them.
        if (!sampler.markExemplar(traceId, slotAgeMs, !markable)) return false;
      } else if (!markable) {
        // Only the mark asks the collector's tail_sampling to keep the trace: without it the
        // exemplar would point at a trace the collector may drop (22 of 113 in a trial).
        unmarkableExemplars++;
        return false;
      } else if (!collectorExemplarLimit.tryTake(performance.now(), slotAgeMs)) return false;
      // Mark the span too, so the collector's tail_sampling keeps the trace when it samples.
      if (markable) span.setAttribute(EXEMPLAR_SPAN_ATTRIBUTE, true);
      return true;
    },
  };
  const metrics = createMetrics(spec, metricsOptions);
  // Before the processors: their self-observability (drops, queue sizes) lands in its families.
  const pipeline = new PipelineMetrics(metrics, sloEngine?.listeners.selfCounters);

  const exportProcessors: SpanProcessor[] = [];
  // A span that ends once the span export (or the tail sampler in front of it) is shut down is
  // dropped: counted with the OTLP span export, whose drops the span series count.
  let spanAfterShutdown: (() => void) | undefined;
  if (urls.traces !== undefined) {
    // The OTLP exporters and sdk-logs load only with an endpoint, not at `import('plumbline')`.
    const { OTLPTraceExporter } = onUse('@opentelemetry/exporter-trace-otlp-http');
    // Given a timeout, OTel's exporter no longer reads OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT:
    // checkTelemetryOptions read them into the timing as it does.
    const spanExporter = new OTLPTraceExporter({
      url: urls.traces,
      timeoutMillis: timing.spanExportTimeoutMs,
    });
    countPartialSuccess(
      spanExporter,
      'rejectedSpans',
      metrics.selfCounter(
        OTLP_REJECTED_SPANS,
        "Spans the OTLP collector rejected in span exports it accepted (its answer's partialSuccess).",
        [],
      ),
    );
    // sdk-trace's processor reads no OTEL_BSP_* (NodeSDK reads them only for the processors it
    // builds, none beside plumbline's): they were ignored (OTEL_BSP_MAX_EXPORT_BATCH_SIZE=2, 5
    // spans: 1 post of 5 -> 2, 2, 1). Regression: otel-bsp-blrp-variables-ignored.test.ts.
    const batch = batchSettings(process.env, 'BSP', (message) => diag.warn(message));
    exportProcessors.push(
      new OtlpBatchSpanProcessor(
        {
          exporter: spanExporter,
          maxQueueSize: options.maxQueuedSpans ?? batch.maxQueueSize ?? 2048,
          scheduledDelayMillis: batch.scheduledDelayMillis,
          maxExportBatchSize: batch.maxExportBatchSize,
          exportTimeoutMillis:
            options.exportTimeoutMs ?? batch.exportTimeoutMillis ?? timing.spanExportTimeoutMs,
          selfObsMeterProvider: pipeline.meterProvider('span'),
        },
        (spanAfterShutdown = () => pipeline.drop('span', 'after_shutdown')),
      ),
    );
    pipeline.expect('span', ['after_shutdown'], false);
  }
  const appProcessors = options.spanProcessors ?? [];
  exportProcessors.push(...appProcessors);
  // The app's processors always behind the fan-out, which catches, counts and says what they
  // throw: alone, one went to the provider as it was and threw into the app's startSpan
  // (regression: single-app-span-processor-throws-into-the-app). plumbline's own goes alone.
  const exportProcessor =
    exportProcessors.length === 1 && appProcessors.length === 0
      ? exportProcessors[0]!
      : new FanOutSpanProcessor(exportProcessors, metrics);
  const samplingMode = options.tailSampling ?? tailSamplingFromEnv() ?? spec.sampling !== undefined;
  const sampler =
    spec.sampling !== undefined && samplingMode !== false
      ? new TailSamplingProcessor(spec.sampling, exportProcessor, {
          dryRun: samplingMode === 'dry-run' ? true : undefined,
          policies: options.samplingPolicies,
          onSpanAfterShutdown: spanAfterShutdown,
        })
      : undefined;
  exposeSamplerStats(metrics, sampler, () => collectorExemplarLimit.refused);
  metrics.selfGauge(
    sdkSeries.exemplarSpanEnded,
    "Exemplars not taken, without the in-process tail sampler, because their span had ended (a measurement recorded after it) or was not recorded in this process: such a span cannot carry plumbline.exemplar, so the collector's tail_sampling could drop the trace (the slot kept the exemplar it had).",
    [],
    () => [{ labels: {}, value: unmarkableExemplars }],
    'counter',
  );
  if (sloEngine !== undefined) exposeSloStatus(metrics, sloEngine);

  // /metrics reads the meter provider's own instruments (auto-instrumentation's, `meter`'s)
  // through this reader; the spec's instruments are serialized by plumbline itself.
  const scrapeReader = meterProviderScrapeReader(metrics);
  const metricReaders: MetricReader[] = [...(options.metricReaders ?? []), scrapeReader];
  let otlpMetricReader: MetricReader | undefined;
  if (urls.metrics !== undefined) {
    // One line for the first failure, then one a minute with how many more (each counted in
    // plumbline_otlp_metric_export_failures_total). Regression:
    // failed-export-floods-logs-with-stack-traces.test.ts.
    const metricExportFailures = new FailureReport({ write: (line) => diag.error(line) });
    const { PeriodicExportingMetricReader } = onUse('@opentelemetry/sdk-metrics');
    otlpMetricReader = new PeriodicExportingMetricReader({
      exporter: new BoundedMetricExporter(
        new OtlpJsonMetricExporter({
          endpoint: urls.metrics,
          url: urls.metrics,
          headers: otlpHeaders('metrics'),
          // Node's fetch takes no TLS files: without these, a collector with a private CA or
          // mutual TLS refused every metric export while spans and logs went through.
          // Regression: otlp-metric-export-ignores-tls-files.test.ts.
          tls: tlsFilesFromEnv('METRICS'),
          // OTel's span and log exporters read these themselves; this one is plumbline's, and
          // posted uncompressed with gzip asked for (0 of 1 metric posts gzipped -> 1). Regression:
          // otlp-metric-export-ignores-compression.test.ts.
          compression: otlpCompression(process.env, 'METRICS', (message) => diag.warn(message)),
          timeoutMillis: timing.metricExportTimeoutMs,
          failures: metrics.selfCounter(
            sdkSeries.otlpMetricExportFailures,
            'OTLP metric exports that failed after every retry, by reason (timeout or error).',
            ['reason'],
          ),
          rejectedDataPoints: metrics.selfCounter(
            sdkSeries.otlpMetricRejectedDataPoints,
            "Data points the OTLP collector rejected in metric exports it accepted (its answer's partialSuccess).",
            [],
          ),
        }),
        options.maxPendingMetricExports ?? 1,
        pipeline,
        (error) => metricExportFailures.failed('OTLP metric export failed', error),
      ),
      exportIntervalMillis: timing.metricExportIntervalMs,
      exportTimeoutMillis: timing.metricExportTimeoutMs,
      metricProducers: [metrics.producer],
    });
    metricReaders.push(otlpMetricReader);
  }

  let logRecordProcessor: LogRecordProcessor | undefined;
  if (urls.logs !== undefined && options.otlpLogs !== false) {
    const { BatchLogRecordProcessor } = onUse('@opentelemetry/sdk-logs');
    const { OTLPLogExporter } = onUse('@opentelemetry/exporter-logs-otlp-http');
    const connections = new ExportConnections();
    const logExporter = new OTLPLogExporter({
      url: urls.logs,
      timeoutMillis: timing.logExportTimeoutMs,
      httpAgentOptions: connections.agentFactory('LOGS'),
    });
    countPartialSuccess(
      logExporter,
      'rejectedLogRecords',
      metrics.selfCounter(
        OTLP_REJECTED_LOG_RECORDS,
        "Log records the OTLP collector rejected in log exports it accepted (its answer's partialSuccess).",
        [],
      ),
    );
    const exporter = new GivingUpLogExporter(logExporter, connections);
    const batch = batchSettings(process.env, 'BLRP', (message) => diag.warn(message));
    logRecordProcessor = new BoundedShutdownLogRecordProcessor(
      new BatchLogRecordProcessor({
        exporter,
        exportTimeoutMillis:
          options.exportTimeoutMs ?? batch.exportTimeoutMillis ?? timing.logExportTimeoutMs,
        maxQueueSize: options.maxQueuedLogRecords ?? batch.maxQueueSize ?? 2048,
        scheduledDelayMillis: batch.scheduledDelayMillis,
        maxExportBatchSize: batch.maxExportBatchSize,
        selfObsMeterProvider: pipeline.meterProvider('log_record'),
      }),
      exporter,
      timing.logExportTimeoutMs,
      () => pipeline.drop('log_record', 'after_shutdown'),
    );
    pipeline.expect('log_record', ['after_shutdown'], false);
  }

  const spanProcessor = sampler ?? exportProcessor;
  return {
    parts: {
      spanProcessor,
      spanProcessors:
        spec.spans?.server?.convention === 'http'
          ? [new HttpServerErrorTypeProcessor(), spanProcessor]
          : [spanProcessor],
      views: specInstrumentViews(spec),
      metricReaders,
      logRecordProcessor,
    },
    metrics,
    pipeline,
    sampler,
    sloEngine,
    scrapeReader,
    otlpMetricReader,
    timing,
  };
}

/** Where the assembled pipeline runs: the providers, and how to flush and stop them. */
export interface Host {
  /** The OTel Logs logger event lines are bridged to; undefined: no bridge. */
  readonly bridgeLogger: OtelLogger | undefined;
  readonly tracer: () => Tracer;
  readonly meter: () => Meter;
  readonly tracerProvider: () => ApiTracerProvider;
  readonly meterProvider: () => ApiMeterProvider;
  /** The flush steps, each called on its own (see Step). */
  readonly forceFlush: () => Step[];
  readonly shutdown: () => Step[];
  /**
   * When shutdown() begins, before anything is flushed: unregisters the OTel globals (or the
   * NodeSDK registration). A telemetry made while this one flushes (a test's next app, the
   * previous shutdown not awaited) then registers its own, which this one never removes.
   */
  readonly releaseGlobals: () => void;
}

/** The event logger with its self-metrics, bridged to OTel Logs when the host has a logger. */
function eventLogger<S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions,
  assembly: Assembly<S>,
  bridgeLogger: OtelLogger | undefined,
): EventLogger<S> {
  const { metrics, pipeline } = assembly;
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
  const suppressedLines = metrics.selfCounter(
    sdkSeries.logSuppressed,
    "Event log lines left out by their event's rate budget, by event.",
    ['event'],
  );
  for (const [event, eventSpec] of Object.entries(spec.events))
    if (eventSpec.budget !== undefined) suppressedLines.add(0, { event });
  const droppedLogBytes = metrics.selfCounter(
    sdkSeries.logDroppedBytes,
    'Bytes of log lines dropped because the destination could not keep up.',
    [],
  );
  pipeline.expect('log_line', ['destination_full', 'destination_error'], false);
  return createEventLogger(spec, {
    destination: options.logDestination,
    securityDestination: options.securityLogDestination,
    security: options.securityLog,
    level: options.logLevel,
    strict: options.strict,
    onViolation: (event, reason) => violations.add(1, { event, reason }),
    onSecurityEvent: (event, outcome) => securityEvents.add(1, { event, outcome }),
    onSuppressed: (event) => suppressedLines.add(1, { event }),
    maxBufferedBytes: options.logMaxBufferedBytes,
    // One sonic-boom 'drop' is one refused write, which can hold several lines (lines are
    // handed over once per turn); 0 bytes is a destination error.
    onDrop: (bytes, lines) => {
      droppedLogBytes.add(bytes, {});
      pipeline.drop('log_line', bytes === 0 ? 'destination_error' : 'destination_full', lines);
    },
    bridge: bridgeLogger === undefined ? undefined : otelLogBridge(bridgeLogger),
  });
}

/** The Telemetry object over an assembled pipeline and its host. */
export function telemetryOf<S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions,
  assembly: Assembly<S>,
  host: Host,
): Telemetry<S> {
  const { metrics, pipeline, sampler, sloEngine, scrapeReader, timing } = assembly;
  const log = eventLogger(spec, options, assembly, host.bridgeLogger);
  let shutdownPromise: Promise<void> | undefined;
  // Each step waited for at most the export timeout: a black-holed endpoint or a blocked log pipe
  // must not hold the host's shutdown. Each failure said in one line, without the stack trace an
  // inspected Error spread over ten; a flush's (an app may flush after each job) at most once a
  // minute, with how many more failed. Regression: failed-export-floods-logs-with-stack-traces.
  const flushFailures = new FailureReport({ write: (line) => diag.warn(line) });
  const shutdownFailures = new FailureReport({ write: (line) => diag.warn(line), intervalMs: 0 });
  const flushOptions: SettleOptions = {
    timeoutMs: timing.exportTimeoutMs,
    onFailure: (reason) => flushFailures.failed('flush/shutdown step failed in forceFlush()', reason),
  };
  const shutdownOptions: SettleOptions = {
    timeoutMs: timing.exportTimeoutMs,
    onFailure: (reason) => shutdownFailures.failed('flush/shutdown step failed in shutdown()', reason),
  };
  return {
    spec,
    log,
    metrics,
    metricsHandler: boundedScrapeHandler(
      metricsRequestHandler(metrics, scrapeReader),
      { maxConcurrent: options.maxConcurrentScrapes ?? 4, timeoutMs: options.scrapeTimeoutMs ?? 10_000 },
      pipeline,
    ),
    slo: { status: () => sloEngine?.status() ?? [] },
    sampler: sampler === undefined ? undefined : { stats: () => sampler.stats() },
    histogramQuantile,
    get tracer() {
      return host.tracer();
    },
    get meter() {
      return host.meter();
    },
    get tracerProvider() {
      return host.tracerProvider();
    },
    get meterProvider() {
      return host.meterProvider();
    },
    forceFlush() {
      // Once shutdown() has begun, its steps made the last exports (or gave up on them): a flush
      // would only collect again into exporters that are shut down, or about to be.
      if (shutdownPromise !== undefined) return Promise.resolve();
      return settle([() => log.flush(), ...host.forceFlush()], flushOptions);
    },
    shutdown() {
      if (shutdownPromise === undefined) {
        try {
          host.releaseGlobals();
        } catch (error) {
          diag.warn('plumbline: releasing the OTel globals at shutdown failed', error);
        }
        // The event log first: closing it writes the security summaries, which go to OTel Logs before
        // the log export shuts down (settle calls the steps in order).
        shutdownPromise = settle([() => log.close(), ...host.shutdown()], shutdownOptions);
      }
      return shutdownPromise;
    },
  };
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

/** Where each signal's OTLP export posts; undefined: that signal is not exported over OTLP. */
export type OtlpUrls = { readonly [signal in OtlpSignal]: string | undefined };

/**
 * Each signal's OTLP URL, as OTel's exporters and NodeSDK read the environment: the `otlpEndpoint`
 * option (the base URL; '' is no export) before the environment; there,
 * OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as it is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/<signal>.
 * OTEL_<SIGNAL>_EXPORTER=none turns that signal's export off, whichever gave the endpoint, and
 * OTEL_SDK_DISABLED=true every signal's.
 * Before, only the option and OTEL_EXPORTER_OTLP_ENDPOINT were read: a signal's own endpoint was
 * never posted to, and `none` was ignored (real NodeSDK 0.223, all three `none`: 1 span, 1 log and
 * 2 metric posts -> 0). Regressions: otlp-signal-endpoints-ignored.test.ts,
 * otlp-exporter-none-still-exports.test.ts.
 */
export function otlpUrls(option: string | undefined, env: NodeJS.ProcessEnv = process.env): OtlpUrls {
  const disabled = sdkDisabled(env);
  const url = (signal: OtlpSignal): string | undefined => {
    if (disabled || exportTurnedOff(signal, env)) return undefined;
    if (option !== undefined) return withPath(trimSlash(option), signal);
    return signalEndpoint(env, signal)?.value ?? withPath(trimSlash(env.OTEL_EXPORTER_OTLP_ENDPOINT), signal);
  };
  const [traces, metrics, logs] = OTLP_SIGNALS.map(url);
  return { traces, metrics, logs };
}

/**
 * OTEL_SDK_DISABLED=true ("disable the SDK for all signals"), read as OTel's getBooleanFromEnv
 * reads it (true, any case, spaces around it allowed): no OTLP export of any signal, whichever
 * endpoint was given (the option too); the event lines still go to the log destination and
 * /metrics is still served, since neither is the SDK exporting. NodeSDK turns itself off with it,
 * while createTelemetry ignored it and kept exporting (a local receiver: 1 /v1/traces, 1 /v1/logs,
 * 2 /v1/metrics posts -> none). Regression: otel-sdk-disabled-still-exports.test.ts.
 */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

/**
 * OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER say `none`, read as NodeSDK
 * (sdk-node 0.223) reads them: a comma-separated list; for traces `none` first (NodeSDK exports
 * to OTLP for `otlp,none`), for metrics and logs `none` anywhere in it.
 */
export function exportTurnedOff(signal: OtlpSignal, env: NodeJS.ProcessEnv = process.env): boolean {
  const list = (env[`OTEL_${signal.toUpperCase()}_EXPORTER`] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && (signal !== 'traces' || name !== 'null'));
  return signal === 'traces' ? list[0] === 'none' : list.includes('none');
}

/**
 * OTEL_EXPORTER_OTLP_HEADERS, with OTEL_EXPORTER_OTLP_<SIGNAL>_HEADERS over it, as OTel's OTLP
 * exporters read them (for the span and log export they do it themselves). The metric export is
 * plumbline's own and sent none: a collector that asks for an API key refused every metric export
 * (1 span and 1 log post with the key, 2 metric posts without -> with). Regression:
 * otlp-metric-export-ignores-otlp-headers.test.ts.
 */
function otlpHeaders(
  signal: OtlpSignal,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> | undefined {
  const headers = {
    ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseKeyPairsIntoRecord(env[`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_HEADERS`]),
  };
  return Object.keys(headers).length === 0 ? undefined : headers;
}

function withPath(base: string | undefined, signal: OtlpSignal): string | undefined {
  return base === undefined ? undefined : `${base}/v1/${signal}`;
}

function trimSlash(url: string | undefined): string | undefined {
  if (url === undefined || url === '') return undefined;
  return url.replace(/\/+$/, '');
}

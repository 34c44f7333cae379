// plumbline inside OpenTelemetry's NodeSDK: the parts NodeSDK is built from (span processors
// with the tail sampler in front, metric readers, the log record processor, the resource), so
// auto-instrumented spans pass through the sampler and NodeSDK stays the one SDK. The telemetry
// made here is also what a later createTelemetry(spec) returns, in any module of the process.
import { diag, metrics as metricsApi, trace, ProxyTracerProvider } from '@opentelemetry/api';
import type * as ApiLogs from '@opentelemetry/api-logs';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { MetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TelemetrySpec } from '../spec/types.js';
import { resolveSpec } from '../spec/model.js';
import { assemble, otlpUrls, SCOPE, telemetryOf } from './assemble.js';
import { checkTelemetryOptions } from './check-options.js';
import { GlobalsAlreadyRegisteredError, type Telemetry, type TelemetryOptions } from './create-telemetry.js';
import { COMMONJS_BUILD } from '../module-format.js';
import { onUse } from '../require-on-use.js';
import { globalLogger, logsApiInApi, type BridgeLogger, type GlobalLogsApi } from './logs-api.js';
import { diagFromEnv, isSet, signalEndpoint } from './otlp-env.js';
import { nodeSdkResource } from './resource.js';

/** What to spread into `new NodeSDK({ ... })`: the keys of NodeSDKConfiguration plumbline fills. */
export interface NodeSdkConfig {
  /** The spec's service over NodeSDK's default resource; NodeSDK's detectors merge over it. */
  readonly resource: Resource;
  /**
   * The tail sampler, in front of `options.spanProcessors` and (with an endpoint) OTLP export;
   * first, with `spans.server.convention: 'http'`, the one completing error.type on 5xx server spans.
   */
  readonly spanProcessors: SpanProcessor[];
  /** `options.metricReaders`, /metrics' reader and (with an endpoint) OTLP with exemplars. */
  readonly metricReaders: MetricReader[];
  /**
   * Drop the meter provider's instruments that have a spec instrument's name (instrumentation-http's
   * `http.server.request.duration` beside the spec's): the spec's own goes to every reader through
   * plumbline. Views of your own go after these: `views: [...plumbline.config.views, ...yours]`.
   */
  readonly views: ViewOptions[];
  /**
   * OTLP log export with an endpoint, then `options.logRecordProcessors`. With nothing configured
   * for logs (no endpoint or otlpLogs false; no OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_LOGS_EXPORTER or
   * OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) and none given, an empty list, so NodeSDK exports no logs either, as for traces and metrics; with only
   * the environment configuring logs (OTEL_LOGS_EXPORTER, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT alone),
   * absent, and NodeSDK sets logs up from its variables.
   */
  readonly logRecordProcessors?: LogRecordProcessor[];
}

export interface NodeSdkParts<S extends TelemetrySpec = TelemetrySpec> {
  readonly config: NodeSdkConfig;
  /**
   * The service's telemetry: event logs, the spec's instruments, /metrics, SLOs, the sampler's
   * stats. Its tracer and meter are the global ones, NodeSDK's once `sdk.start()` ran.
   */
  readonly telemetry: Telemetry<S>;
}

const REGISTRY = Symbol.for('plumbline.nodeSdkParts');

interface Registered {
  readonly serviceName: string;
  readonly telemetry: Telemetry;
  readonly isBound: () => boolean;
  /** What `config.spanProcessors` holds: one of them must be in the SDK's tracer provider. */
  readonly spanProcessors: readonly SpanProcessor[];
  /** plumbline's OTLP log export, when it made one: it must be in the global logger provider. */
  readonly logRecordProcessor: LogRecordProcessor | undefined;
  /** Its telemetry was shut down: createTelemetry says so, and nodeSdkParts may be called again. */
  readonly shutDown?: true;
}

type Registry = { [REGISTRY]?: Registered };

/**
 * Builds plumbline's pipeline for NodeSDK. Call it before `sdk.start()` (e.g. in the file given
 * to `node --import`), spread `config` into NodeSDK's configuration, then use `telemetry` or call
 * `createTelemetry(spec)` anywhere in the app for the same object.
 */
export function nodeSdkParts<const S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions = {},
): NodeSdkParts<S> {
  resolveSpec(spec);
  // As NodeSDK's constructor will, but while the options are read, so what they warn about is
  // seen; removed at the end, for NodeSDK to set its own.
  const dropDiag = diagFromEnv();
  try {
    return makeParts(spec, options);
  } finally {
    dropDiag();
  }
}

function makeParts<const S extends TelemetrySpec>(spec: S, options: TelemetryOptions): NodeSdkParts<S> {
  const timing = checkTelemetryOptions(options);
  const registry = globalThis as Registry;
  if (registry[REGISTRY] !== undefined && registry[REGISTRY].shutDown !== true)
    throw new Error(
      `plumbline: nodeSdkParts was already called in this process (service "${registry[REGISTRY].serviceName}"); ` +
        'a process runs one NodeSDK and one plumbline pipeline. Use its `telemetry`, or createTelemetry(spec), ' +
        'to reach it from other modules.',
    );
  // OTel keeps the first tracer provider registered: a NodeSDK started with these parts after
  // another SDK (or a NodeSDK that was shut down but never unregistered) registers nothing, and
  // the tail sampler sees no span (real NodeSDK 0.223: 1 decision -> 0). Regression:
  // nodesdk-parts-made-after-another-sdk-registered.test.ts.
  if (sdkTracerProvider() !== undefined)
    throw new GlobalsAlreadyRegisteredError(
      nodeSdkTelemetryShutDown() ? NODE_SDK_STILL_REGISTERED : SDK_REGISTERED_BEFORE_PARTS,
    );
  // A logs endpoint that OTEL_EXPORTER_OTLP_LOGS_ENDPOINT alone gives stays NodeSDK's: it reads
  // that variable itself and sets logs up from it, as before (logRecordProcessors below).
  const urls = otlpUrls(options.otlpEndpoint);
  const assembly = assemble(
    spec,
    options,
    timing,
    logsEndpointLeftToNodeSdk(options) ? { ...urls, logs: undefined } : urls,
  );
  const { parts } = assembly;
  // telemetry.shutdown() shuts these down before sdk.shutdown() does, which then gets the same
  // promise: settled, so a collector that timed out does not make sdk.shutdown() reject (an
  // `await sdk.shutdown()` in a SIGTERM handler would end the process on an unhandled rejection),
  // and done within exportTimeoutMs: OTel's batch log processor flushes its queue one batch after
  // another, each waiting out the timeout (40.7 s for a full queue against a black hole; assemble's
  // log processor gives that export up at the same bound, so the process can exit then too).
  const bound = timing.exportTimeoutMs;
  if (assembly.sampler !== undefined) settleShutdown(assembly.sampler, 'the tail sampler', bound);
  if (parts.logRecordProcessor !== undefined)
    settleShutdown(parts.logRecordProcessor, 'the OTLP log export', bound);
  if (assembly.otlpMetricReader !== undefined)
    settleShutdown(assembly.otlpMetricReader, 'the OTLP metric export', bound);
  const readers = parts.metricReaders;
  const ownLogProcessors = [...(options.logRecordProcessors ?? [])];
  const telemetry = telemetryOf(spec, options, assembly, {
    // otlpLogs: false leaves plumbline's OTLP log export out; the app's own processors still
    // get the event lines.
    bridgeLogger:
      options.otlpLogs === false && ownLogProcessors.length === 0
        ? undefined
        : bridgeLogger(() => assembly.pipeline.drop('log_record', 'not_started')),
    tracer: () => trace.getTracer(SCOPE.name, SCOPE.version),
    meter: () => metricsApi.getMeter(SCOPE.name, SCOPE.version),
    tracerProvider: () => trace.getTracerProvider(),
    meterProvider: () => metricsApi.getMeterProvider(),
    // NodeSDK owns the providers (sdk.shutdown() stops them); these are plumbline's parts of them.
    forceFlush: () => [
      () => parts.spanProcessor.forceFlush(),
      ...readers.map((reader) => () => reader.forceFlush().catch(() => undefined)),
      () => parts.logRecordProcessor?.forceFlush(),
      ...ownLogProcessors.map((processor) => () => processor.forceFlush()),
    ],
    // The OTLP metric reader is shut down here, not flushed: its shutdown makes a final export
    // whatever came before, so with a flush here sdk.shutdown() would wait out a black-holed
    // collector a second time (30.5 s in all, measured, where Kubernetes grants 30 s).
    // The tail sampler and the OTLP log processor are shut down too (both run their shutdown once):
    // flushed only, a service still taking requests refilled their queues while this waited out a
    // black-holed collector, and sdk.shutdown() waited for it again (19.7 s under load, measured).
    shutdown: () => [
      () => (assembly.sampler !== undefined ? assembly.sampler.shutdown() : parts.spanProcessor.forceFlush()),
      ...readers.map(
        (reader) => () =>
          (reader === assembly.otlpMetricReader ? reader.shutdown() : reader.forceFlush()).catch(
            () => undefined,
          ),
      ),
      () => parts.logRecordProcessor?.shutdown(),
      // The app's own are NodeSDK's to shut down (sdk.shutdown()), like its metric readers.
      ...ownLogProcessors.map((processor) => () => processor.forceFlush()),
    ],
    releaseGlobals: () => {
      const registered = registry[REGISTRY];
      if (registered?.telemetry === telemetry) registry[REGISTRY] = { ...registered, shutDown: true };
    },
  });
  registry[REGISTRY] = {
    serviceName: spec.service.name,
    telemetry: telemetry as unknown as Telemetry,
    isBound: () => assembly.scrapeReader.isBound,
    spanProcessors: parts.spanProcessors,
    logRecordProcessor: parts.logRecordProcessor,
  };
  // A configuration that replaced plumbline's log record processor (`{ ...plumbline.config,
  // logRecordProcessors: [...] }`) never exports the event lines over OTLP, without a word (real
  // NodeSDK 0.223: 1 /v1/logs post -> 0). NodeSDK.start() registers the logger provider after the
  // meter and tracer providers, in the same call: look a turn after either sign of the start.
  // Regression: nodesdk-log-record-processors-replace-log-export-silently.test.ts.
  // Once this telemetry was shut down, the globals may be another SDK's (a test's next app): no
  // claim. The span processors' check made it all the same, after a shutdown in the turn NodeSDK
  // started (real NodeSDK 0.223, the next app's createTelemetry registered at once: 1 false
  // PLUMBLINE_SPAN_PROCESSORS_LEFT_OUT -> 0). Regression: span-processors-left-out-warned-after-shutdown.test.ts.
  const live = (registered: Registered | undefined): registered is Registered =>
    registered?.telemetry === telemetry && registered.shutDown !== true;
  let logsChecked = false;
  const checkLogs = () => {
    if (logsChecked) return;
    logsChecked = true;
    setImmediate(() => {
      const registered = registry[REGISTRY];
      if (live(registered) && logRecordProcessorLeftOut(registered) === true)
        process.emitWarning(LOG_RECORD_PROCESSORS_LEFT_OUT, {
          code: 'PLUMBLINE_LOG_RECORD_PROCESSORS_LEFT_OUT',
        });
    }).unref();
  };
  // NodeSDK.start() binds the metric readers; the tracer provider is registered in the same call.
  // A configuration that kept plumbline's readers but replaced its span processors
  // (`{ ...plumbline.config, spanProcessors: [...] }`) loses the tail sampler without an error:
  // say so on stderr (a warning, since nothing may throw into the app here).
  assembly.scrapeReader.whenBound(() =>
    setImmediate(() => {
      const registered = registry[REGISTRY];
      if (live(registered) && spanProcessorsLeftOut(registered) === true)
        process.emitWarning(SPAN_PROCESSORS_LEFT_OUT, { code: 'PLUMBLINE_SPAN_PROCESSORS_LEFT_OUT' });
      checkLogs();
    }).unref(),
  );
  // A configuration that kept plumbline's span processors but replaced its metric readers
  // (`{ ...plumbline.config, metricReaders: [...] }`) never binds them: the spec's instruments were
  // never exported over OTLP (real NodeSDK 0.223: 3 exports in 700 ms -> 0) without a word. The
  // first span through the processors tells: NodeSDK.start() binds the readers before it makes the
  // tracer provider. Regression: nodesdk-metric-readers-replaced-never-exported.test.ts.
  onFirstSpanStart(parts.spanProcessors[0]!, () => {
    const registered = registry[REGISTRY];
    if (live(registered) && !assembly.scrapeReader.isBound)
      process.emitWarning(METRIC_READERS_LEFT_OUT, { code: 'PLUMBLINE_METRIC_READERS_LEFT_OUT' });
    checkLogs();
  });
  const config: NodeSdkConfig = {
    resource: nodeSdkResource(spec),
    spanProcessors: parts.spanProcessors,
    metricReaders: readers,
    views: parts.views,
    ...logRecordProcessors(parts.logRecordProcessor, ownLogProcessors, options),
  };
  return { config, telemetry };
}

/**
 * plumbline's logger on the global Logs API: on the 3.x line @opentelemetry/api's; on 2.x
 * @opentelemetry/api-logs', loaded with a require at once. Before, api-logs came a tick late
 * (an `import()`), and the events logged until then were dropped and counted (not_started): in
 * the CommonJS recipe the app's whole top level runs in that tick (regression:
 * nodesdk-events-in-the-first-tick-not-exported.test.ts). Until the next microtask each event asks
 * the API for the logger (the global provider, once NodeSDK registered one); from then on it is
 * the logger the API gave then, as before.
 */
function bridgeLogger(onLost: () => void): BridgeLogger {
  const inApi = logsApiInApi();
  if (inApi !== undefined) return inApi.getLogger(SCOPE.name, SCOPE.version);
  let api: GlobalLogsApi;
  try {
    api = (COMMONJS_BUILD ? requireApiLogs() : onUse('@opentelemetry/api-logs'))
      .logs as unknown as GlobalLogsApi;
  } catch {
    return globalLogger(SCOPE.name, SCOPE.version, onLost);
  }
  let logger: BridgeLogger | undefined;
  queueMicrotask(() => {
    logger = api.getLogger(SCOPE.name, SCOPE.version);
  });
  return {
    emit(record) {
      if (logger === undefined) api.getLogger(SCOPE.name, SCOPE.version).emit(record);
      else logger.emit(record);
    },
  };
}

/** api-logs through the CommonJS build's own require, which a test runner's registry sees (module-format.ts). */
function requireApiLogs(): typeof ApiLogs {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see module-format.ts
  return require('@opentelemetry/api-logs') as typeof ApiLogs;
}

/**
 * NodeSDK given no log processors builds its default from the environment: OTEL_LOGS_EXPORTER
 * unset means OTLP to localhost:4318, so a service that configured no endpoint would post every
 * event line there (and wait out its retries at shutdown: 8-17 s in a newcomer's app). Regression:
 * nodesdk-exported-logs-without-an-endpoint.test.ts.
 */
function logRecordProcessors(
  processor: LogRecordProcessor | undefined,
  own: readonly LogRecordProcessor[],
  options: TelemetryOptions,
  env: NodeJS.ProcessEnv = process.env,
): { logRecordProcessors?: LogRecordProcessor[] } {
  // The app's own processors beside plumbline's; given alone, they take the place of NodeSDK's
  // setup from the environment, as NodeSDK's own `logRecordProcessors` does.
  if (processor !== undefined || own.length > 0)
    return { logRecordProcessors: [...(processor === undefined ? [] : [processor]), ...own] };
  // Only what NodeSDK itself reads: an otlpEndpoint option with otlpLogs: false (the one way to
  // get here with it) is not NodeSDK's, which would post other libraries' records (an app's pino
  // lines through instrumentation-pino) to localhost:4318 and wait out its retries at shutdown
  // (real NodeSDK 0.223: 8.3 s). Regression: nodesdk-otlp-logs-off-posts-logs-to-localhost.test.ts.
  // `otlpEndpoint: ''` is "no export, even with OTEL_EXPORTER_OTLP_ENDPOINT set" (docs/telemetry.md),
  // yet NodeSDK read that variable and posted the event lines to it (real NodeSDK 0.223: 1
  // /v1/logs post with order.placed in it -> 0). Regression: nodesdk-empty-endpoint-still-exports-logs.test.ts.
  const configured = [
    options.otlpEndpoint === '' ? undefined : env.OTEL_EXPORTER_OTLP_ENDPOINT,
    env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
    env.OTEL_LOGS_EXPORTER,
  ].some(isSet);
  return configured ? {} : { logRecordProcessors: [] };
}

/**
 * Whether only OTEL_EXPORTER_OTLP_LOGS_ENDPOINT gives the logs endpoint (no `otlpEndpoint` option,
 * no OTEL_EXPORTER_OTLP_ENDPOINT): NodeSDK, given no log record processors, exports to it itself.
 */
function logsEndpointLeftToNodeSdk(options: TelemetryOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    options.otlpEndpoint === undefined &&
    !isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) &&
    signalEndpoint(env, 'logs') !== undefined
  );
}

/**
 * Runs `check` when the first span starts through `processor`, then puts the processor's own
 * `onStart` back: the spans after it take the path they took before (no per-span cost). A check
 * that throws is swallowed, since nothing may throw into the app's span start.
 */
function onFirstSpanStart(processor: SpanProcessor, check: () => void): void {
  const target = processor as { onStart: SpanProcessor['onStart'] };
  const own = Object.getOwnPropertyDescriptor(target, 'onStart');
  target.onStart = function firstSpanStart(span, parentContext) {
    if (own === undefined) delete (target as Partial<typeof target>).onStart;
    else Object.defineProperty(target, 'onStart', own);
    try {
      check();
    } catch {
      // a warning that could not be given
    }
    target.onStart(span, parentContext);
  };
}

/** Whether this process's nodeSdkParts telemetry was shut down. */
export function nodeSdkTelemetryShutDown(): boolean {
  return (globalThis as Registry)[REGISTRY]?.shutDown === true;
}

/**
 * The telemetry nodeSdkParts made, for createTelemetry to return; undefined when it was not
 * called. Fails loudly when the process's NodeSDK was started without plumbline's parts.
 */
export function attachedTelemetry<S extends TelemetrySpec>(
  spec: S,
  options: TelemetryOptions,
): Telemetry<S> | undefined {
  const registered = (globalThis as Registry)[REGISTRY];
  if (registered === undefined) return undefined;
  // A fresh telemetry may follow, unless NodeSDK still holds the globals (createTelemetry says so).
  if (registered.shutDown === true) return undefined;
  if (registered.serviceName !== spec.service.name)
    throw new Error(
      `plumbline: nodeSdkParts made this process's telemetry for service "${registered.serviceName}", ` +
        `and createTelemetry was asked for "${spec.service.name}"; pass the same spec to both.`,
    );
  const provider = sdkTracerProvider();
  const sdkStarted = provider !== undefined;
  if (sdkStarted && !registered.isBound())
    throw new Error(
      spanProcessorsLeftOut(registered, provider) === false
        ? METRIC_READERS_LEFT_OUT
        : 'plumbline: an OpenTelemetry SDK was started without the parts nodeSdkParts made, so the tail sampler ' +
            'sees none of its spans. Spread them into NodeSDK: `new NodeSDK({ ...plumbline.config, instrumentations })` ' +
            '(docs/nodesdk.md).',
    );
  if (sdkStarted && spanProcessorsLeftOut(registered, provider) === true)
    throw new Error(SPAN_PROCESSORS_LEFT_OUT);
  if (sdkStarted && logRecordProcessorLeftOut(registered) === true)
    throw new Error(LOG_RECORD_PROCESSORS_LEFT_OUT);
  // An option given as undefined is an option left out (TelemetryOptions).
  const ignored = Object.keys(options).filter(
    (key) => (options as Record<string, unknown>)[key] !== undefined,
  );
  if (ignored.length > 0)
    diag.warn(
      `plumbline: createTelemetry options ${ignored.join(', ')} are ignored: this process's telemetry was made ` +
        'by nodeSdkParts, whose options apply.',
    );
  return registered.telemetry as unknown as Telemetry<S>;
}

/**
 * Makes `target.shutdown()` run once and settle within `timeoutMs` of the first call: a failure,
 * or a shutdown still running then, is reported to OTel's diag logger (the process is ending).
 */
function settleShutdown(target: { shutdown(): Promise<void> }, what: string, timeoutMs: number): void {
  const shutdown = target.shutdown.bind(target);
  let settled: Promise<void> | undefined;
  target.shutdown = () =>
    (settled ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        diag.warn(`plumbline: shutting down ${what} was not done within ${timeoutMs} ms; not waiting longer`);
        resolve();
      }, timeoutMs);
      timer.unref();
      (async () => shutdown())().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          diag.warn(`plumbline: shutting down ${what} failed`, error);
          resolve();
        },
      );
    }));
}

/** Why createTelemetry is refused after the telemetry nodeSdkParts made was shut down. */
export const NODE_SDK_TELEMETRY_SHUT_DOWN =
  "plumbline: this process's telemetry, made by nodeSdkParts for NodeSDK, was shut down (telemetry.shutdown()), " +
  'and NodeSDK still holds its parts, so createTelemetry cannot make another. Under NodeSDK the telemetry lives ' +
  'as long as the SDK: shut it down once, with the SDK, when the process ends ' +
  '(`telemetry.shutdown().then(() => sdk.shutdown())`), not when an app or a test closes. To start over, ' +
  'after `await sdk.shutdown()` unregister the OTel globals (`trace`, `metrics`, `context`, `propagation` and ' +
  '`logs` `.disable()`), then call nodeSdkParts again and start a new NodeSDK with its config (docs/nodesdk.md).';

/** Why nodeSdkParts is refused while another SDK's tracer provider is the global one. */
const SDK_REGISTERED_BEFORE_PARTS =
  'plumbline: nodeSdkParts was called while an OpenTelemetry SDK is already registered as the global tracer ' +
  'provider (a NodeSDK started before it, e.g. by `--import @opentelemetry/auto-instrumentations-node/register`, ' +
  'or a createTelemetry not shut down). OTel keeps the first provider registered, so a NodeSDK started with ' +
  "plumbline's parts would register none of its own and the tail sampler would see no span. Make them parts of " +
  'the one NodeSDK: call nodeSdkParts before it starts and spread its config into it, ' +
  '`new NodeSDK({ ...plumbline.config, instrumentations })` (docs/nodesdk.md).';

/** Why nodeSdkParts is refused while the NodeSDK of a shut down nodeSdkParts telemetry is still registered. */
const NODE_SDK_STILL_REGISTERED =
  'plumbline: nodeSdkParts was called again while the providers of the previous NodeSDK are still the ' +
  'OpenTelemetry globals: sdk.shutdown() stops them but does not unregister them, and OTel keeps the first ' +
  "provider registered, so a new NodeSDK with plumbline's parts would register none of its own and the tail " +
  'sampler would see no span. To start over, after `await sdk.shutdown()` unregister them: `trace.disable()`, ' +
  '`metrics.disable()`, `context.disable()`, `propagation.disable()` of @opentelemetry/api and `logs.disable()` ' +
  '(of @opentelemetry/api-logs on the 2.x line, @opentelemetry/api on 3.x); then call nodeSdkParts and start ' +
  'a new NodeSDK with its config (docs/nodesdk.md).';

const SPAN_PROCESSORS_LEFT_OUT =
  "plumbline: the OpenTelemetry SDK's tracer provider was started without the span processors nodeSdkParts " +
  'made, so the tail sampler sees none of its spans (every trace goes out unsampled, exemplars keep no trace). ' +
  'A `spanProcessors` given after `...plumbline.config` replaces them: pass your processors to ' +
  '`nodeSdkParts(spec, { spanProcessors })` instead, and they run behind the sampler (docs/nodesdk.md).';

const METRIC_READERS_LEFT_OUT =
  "plumbline: the OpenTelemetry SDK's meter provider was started without the metric readers nodeSdkParts " +
  "made, so they never run: the spec's instruments are not exported over OTLP (no SLO series, no exemplars " +
  "reach the collector) and /metrics serves none of the meter provider's instruments. A `metricReaders` given " +
  'after `...plumbline.config` replaces them: pass your readers to `nodeSdkParts(spec, { metricReaders })` ' +
  "instead, and they are given to the meter provider beside plumbline's (docs/nodesdk.md).";

const LOG_RECORD_PROCESSORS_LEFT_OUT =
  'plumbline: the global OpenTelemetry logger provider was started without the log record processor ' +
  "nodeSdkParts made, so the event lines are not exported over OTLP (they reach only the provider's " +
  'processors). A `logRecordProcessors` given after `...plumbline.config` replaces it: pass your processors ' +
  'to `nodeSdkParts(spec, { logRecordProcessors })` instead, and they are given to the logger provider beside ' +
  "plumbline's (docs/nodesdk.md).";

/**
 * Whether the global SDK logger provider runs without plumbline's OTLP log record processor: true
 * or false when its processors can be read (sdk-logs 0.223 and 3.x keep them at
 * `_sharedState.processors`; a processor of the app's that holds others, at `processors`, is
 * looked into), undefined when plumbline made none or the provider does not show them (not an
 * SDK one yet: nothing is claimed).
 */
function logRecordProcessorLeftOut(registered: Registered): boolean | undefined {
  const ours = registered.logRecordProcessor;
  if (ours === undefined) return undefined;
  // Read inside a try: it runs in a timer of its own, where a throwing getter would end the app.
  try {
    const provider = globalLoggerProvider();
    const shared =
      typeof provider === 'object' && provider !== null
        ? (provider as { _sharedState?: { processors?: unknown } })._sharedState
        : undefined;
    const processors = shared?.processors;
    if (!Array.isArray(processors)) return undefined;
    return !processors.some(
      (processor: unknown) =>
        processor === ours ||
        (typeof processor === 'object' &&
          processor !== null &&
          Array.isArray((processor as { processors?: unknown }).processors) &&
          (processor as { processors: unknown[] }).processors.includes(ours)),
    );
  } catch {
    return undefined;
  }
}

/** The global Logs API's provider: the SDK's once registered, else the API's proxy (throws when no Logs API loads). */
function globalLoggerProvider(): unknown {
  const api = (logsApiInApi() ??
    (COMMONJS_BUILD ? requireApiLogs() : onUse('@opentelemetry/api-logs')).logs) as unknown as {
    getLoggerProvider?: () => unknown;
  };
  return typeof api.getLoggerProvider === 'function' ? api.getLoggerProvider() : undefined;
}

/**
 * Whether the global SDK tracer provider runs none of plumbline's span processors: true or
 * false when its processors can be read (both OTel JS lines keep them at
 * `_activeSpanProcessor._spanProcessors`, looked into one level of nesting), undefined for a
 * provider that does not show them (then nothing is claimed).
 */
function spanProcessorsLeftOut(
  registered: Registered,
  provider: unknown = sdkTracerProvider(),
): boolean | undefined {
  const processors = processorsOf(
    provider === undefined
      ? undefined
      : (provider as { _activeSpanProcessor?: unknown })._activeSpanProcessor,
  );
  if (processors === undefined) return undefined;
  const ours = new Set<unknown>(registered.spanProcessors);
  return !processors.some(
    (processor) => ours.has(processor) || processorsOf(processor)?.some((inner) => ours.has(inner)) === true,
  );
}

function processorsOf(multi: unknown): readonly unknown[] | undefined {
  if (typeof multi !== 'object' || multi === null) return undefined;
  const list = (multi as { _spanProcessors?: unknown })._spanProcessors;
  return Array.isArray(list) ? list : undefined;
}

/** The SDK provider behind the global proxy; undefined while none is registered. */
export function sdkTracerProvider(): unknown {
  const global = trace.getTracerProvider();
  // Duck-typed: the ESM and CommonJS builds of the API are separate classes sharing one global.
  const proxy = global as Partial<ProxyTracerProvider>;
  const delegate = typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : global;
  return delegate === new ProxyTracerProvider().getDelegate() ? undefined : delegate;
}

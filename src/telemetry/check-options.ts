// createTelemetry's options checked up front: every problem names its field and what was
// expected, all at once, so a bad deployment fails at start instead of inside an OTel SDK
// constructor (or, worse, on the first export).
import { diag } from '@opentelemetry/api';
import { IssueListError, type SpecIssue } from '../spec/errors.js';
import { didYouMean } from '../spec/suggest.js';
import type { SecurityStreamOptions } from '../logs/security-stream.js';
import type { TelemetryOptions } from './create-telemetry.js';
import { durationMs, OTLP_SIGNALS, otlpTimeoutMs, otlpVariable, signalEndpoint } from './otlp-env.js';

/** An option's problem: `path` names the option, e.g. "maxConcurrentScrapes" or "securityLog.foldWindowMs". */
export type OptionIssue = SpecIssue;

export class TelemetryOptionsError extends IssueListError<OptionIssue> {
  constructor(issues: readonly OptionIssue[]) {
    super('invalid createTelemetry options', issues);
  }
}

/**
 * Every option createTelemetry and nodeSdkParts take: the properties of TelemetryOptions
 * (create-telemetry.ts). It must follow the interface (the `satisfies` fails to compile when one
 * is missing or extra); any other key is reported, so a misspelt option is not silently ignored.
 */
const OPTION_KEYS = Object.keys({
  logDestination: true,
  logLevel: true,
  strict: true,
  otlpEndpoint: true,
  otlpLogs: true,
  exportTimeoutMs: true,
  maxQueuedSpans: true,
  maxQueuedLogRecords: true,
  maxPendingMetricExports: true,
  logMaxBufferedBytes: true,
  maxConcurrentScrapes: true,
  scrapeTimeoutMs: true,
  spanProcessors: true,
  tailSampling: true,
  samplingPolicies: true,
  metricReaders: true,
  logRecordProcessors: true,
  registerGlobal: true,
  securityLogDestination: true,
  securityLog: true,
  exemplarFilter: true,
  metricExportIntervalMs: true,
  labelValueLengthLimit: true,
} satisfies Record<keyof TelemetryOptions, true>);

/** The keys of SecurityStreamOptions (the `satisfies` fails to compile when one is missing or extra). */
const SECURITY_LOG_KEYS = Object.keys({
  foldWindowMs: true,
  maxLinesPerWindow: true,
  now: true,
} satisfies Record<keyof SecurityStreamOptions, true>);

/** Counts that must be whole numbers of at least 1. */
const COUNTS = [
  'maxQueuedSpans',
  'maxQueuedLogRecords',
  'maxPendingMetricExports',
  'logMaxBufferedBytes',
  'maxConcurrentScrapes',
  'labelValueLengthLimit',
] as const;

/** Durations in ms that must be finite and above 0. */
const DURATIONS = ['exportTimeoutMs', 'scrapeTimeoutMs', 'metricExportIntervalMs'] as const;

const BOOLEANS = ['strict', 'otlpLogs', 'registerGlobal'] as const;

/**
 * What each element of the array options must be: the members the SDK calls on it, so a bad
 * element fails here instead of on every span.end() or in the meter provider's constructor.
 */
interface ElementShape {
  /** What was expected, as the message says it. */
  readonly expected: string;
  readonly functions: readonly string[];
  readonly strings: readonly string[];
}

const ELEMENT_SHAPES = {
  spanProcessors: {
    expected: 'a SpanProcessor (onStart, onEnd, forceFlush, shutdown)',
    functions: ['onStart', 'onEnd', 'forceFlush', 'shutdown'],
    strings: [],
  },
  metricReaders: {
    expected: 'a MetricReader (setMetricProducer, collect, shutdown, forceFlush)',
    functions: ['setMetricProducer', 'collect', 'shutdown', 'forceFlush'],
    strings: [],
  },
  logRecordProcessors: {
    expected: 'a LogRecordProcessor (onEmit, forceFlush, shutdown)',
    functions: ['onEmit', 'forceFlush', 'shutdown'],
    strings: [],
  },
  samplingPolicies: {
    expected: 'a SamplingPolicy (a string name and kind, and evaluate)',
    functions: ['evaluate'],
    strings: ['name', 'kind'],
  },
} as const satisfies Record<string, ElementShape>;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const EXEMPLAR_FILTERS = ['always_on', 'always_off', 'trace_based'];

export const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 15_000;

/** The timing the OTLP pipeline runs with once the options are checked. */
export interface ExportTiming {
  /** Each shutdown/flush step: the longest of the signals' export timeouts. */
  readonly exportTimeoutMs: number;
  /** Each span export (its retries included). */
  readonly spanExportTimeoutMs: number;
  /** Each log export (its retries included), and the log export's shutdown. */
  readonly logExportTimeoutMs: number;
  readonly metricExportIntervalMs: number;
  /** The metric export's timeout: at most the interval (sdk-metrics refuses more). */
  readonly metricExportTimeoutMs: number;
}

/**
 * Throws a TelemetryOptionsError listing every bad option; returns the export timing, with
 * the metric export timeout clamped to the interval (and a warning), as NodeSDK does for
 * OTEL_METRIC_EXPORT_TIMEOUT > OTEL_METRIC_EXPORT_INTERVAL.
 */
export function checkTelemetryOptions(options: TelemetryOptions): ExportTiming {
  checkTelemetryOptionValues(options);
  return exportTiming(options);
}

/**
 * The options' names and values checked (TelemetryOptionsError), without reading the OTEL_*
 * variables: createTelemetry(spec) returning the telemetry nodeSdkParts made checks these, and
 * reads the variables only when it assembles its own (their warnings were given twice).
 */
export function checkTelemetryOptionValues(options: TelemetryOptions): void {
  const issues: OptionIssue[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new TelemetryOptionsError([
      { path: '(options)', message: `must be an object, got ${describe(options)}` },
    ]);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record))
    if (!OPTION_KEYS.includes(key))
      issues.push({
        // Quoted when it is not an identifier (a stray space, an empty key), so the key shows whole.
        path: /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key),
        message: `is not an option of createTelemetry${didYouMean(key, OPTION_KEYS)}`,
      });
  for (const key of COUNTS) checkCount(issues, key, record[key]);
  for (const key of DURATIONS) checkDuration(issues, key, record[key]);
  for (const key of BOOLEANS) {
    const value = record[key];
    if (value !== undefined && typeof value !== 'boolean')
      issues.push({ path: key, message: `must be true or false, got ${describe(value)}` });
  }
  const tailSampling = record.tailSampling;
  if (tailSampling !== undefined && typeof tailSampling !== 'boolean' && tailSampling !== 'dry-run')
    issues.push({
      path: 'tailSampling',
      message: `must be true, false or "dry-run", got ${describe(tailSampling)}`,
    });
  checkOneOf(issues, 'logLevel', record.logLevel, LOG_LEVELS);
  checkOneOf(issues, 'exemplarFilter', record.exemplarFilter, EXEMPLAR_FILTERS);
  if (record.otlpEndpoint !== undefined) checkEndpoint(issues, 'otlpEndpoint', record.otlpEndpoint);
  else {
    checkEndpoint(
      issues,
      'otlpEndpoint (OTEL_EXPORTER_OTLP_ENDPOINT)',
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    );
    // A signal's own endpoint is posted to as it is (assemble.ts, otlpUrls).
    for (const signal of OTLP_SIGNALS) {
      const own = signalEndpoint(process.env, signal);
      if (own !== undefined) checkEndpoint(issues, `otlpEndpoint (${own.name})`, own.value, false);
    }
  }
  for (const key of ['spanProcessors', 'metricReaders', 'logRecordProcessors', 'samplingPolicies'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (!Array.isArray(value))
      issues.push({ path: key, message: `must be an array, got ${describe(value)}` });
    else
      for (let index = 0; index < value.length; index++)
        checkElement(issues, `${key}[${index}]`, value[index], ELEMENT_SHAPES[key]);
  }
  const securityLog = record.securityLog;
  if (securityLog !== undefined) {
    if (typeof securityLog !== 'object' || securityLog === null)
      issues.push({ path: 'securityLog', message: `must be an object, got ${describe(securityLog)}` });
    else {
      const fold = securityLog as Record<string, unknown>;
      // A misspelt key left the defaults in force without a word ({ maxLines: 2 }: 50 distinct
      // sources wrote 50 lines, not 3). Regression: security-log-misspelt-option-ignored.test.ts.
      for (const key of Object.keys(fold))
        if (!SECURITY_LOG_KEYS.includes(key))
          issues.push({
            path: `securityLog.${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}`,
            message:
              `is not an option of securityLog (foldWindowMs, maxLinesPerWindow)` +
              didYouMean(key, SECURITY_LOG_KEYS),
          });
      checkDuration(issues, 'securityLog.foldWindowMs', fold.foldWindowMs);
      checkCount(issues, 'securityLog.maxLinesPerWindow', fold.maxLinesPerWindow);
      if (fold.now !== undefined && typeof fold.now !== 'function')
        issues.push({ path: 'securityLog.now', message: `must be a function, got ${describe(fold.now)}` });
    }
  }
  for (const key of ['logDestination', 'securityLogDestination'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    const ok =
      (typeof value === 'string' && value !== '') ||
      (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
      (typeof value === 'object' &&
        value !== null &&
        typeof (value as { write?: unknown }).write === 'function');
    if (!ok)
      issues.push({
        path: key,
        message: `must be a file path, a file descriptor or a stream with write(), got ${describe(value)}`,
      });
  }
  if (issues.length > 0) throw new TelemetryOptionsError(issues);
}

/**
 * Each signal's export timeout: the `exportTimeoutMs` option, else, as OTel's OTLP exporters read
 * the environment, OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT, else
 * 10,000 ms. Before, the variables were not read: the option (or its default) was given to every
 * exporter, which then ignores them, so OTEL_EXPORTER_OTLP_TIMEOUT=300 against a collector that
 * held the export 3 s got each export through after 3 s instead of failing it at 300 ms.
 * Regression: otlp-timeout-variables-ignored.test.ts.
 */
export function exportTiming(options: TelemetryOptions, env: NodeJS.ProcessEnv = process.env): ExportTiming {
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (!warned.has(message)) diag.warn(message);
    warned.add(message);
  };
  // How the clamping warning names where the timeout came from.
  const timeout = (signal: string): { readonly ms: number; readonly label: string } => {
    if (options.exportTimeoutMs !== undefined)
      return { ms: options.exportTimeoutMs, label: `exportTimeoutMs (${options.exportTimeoutMs})` };
    const fromEnv = otlpTimeoutMs(env, signal, warn);
    if (fromEnv === undefined)
      return {
        ms: DEFAULT_EXPORT_TIMEOUT_MS,
        label: `exportTimeoutMs (${DEFAULT_EXPORT_TIMEOUT_MS}, default)`,
      };
    return { ms: fromEnv.ms, label: `${fromEnv.name} (${fromEnv.ms})` };
  };
  const spans = timeout('TRACES');
  const logs = timeout('LOGS');
  // Under NodeSDK the periodic reader's own timeout races the exporter's: the shorter one ends
  // the export. Before, OTEL_METRIC_EXPORT_INTERVAL and _TIMEOUT were not read (interval 200:
  // no post in 10 s -> one every 200 ms). Regression: otel-metric-export-interval-ignored.test.ts.
  const exporterTimeout = timeout('METRICS');
  const readerTimeoutMs =
    options.exportTimeoutMs === undefined ? durationMs(env, 'OTEL_METRIC_EXPORT_TIMEOUT', warn) : undefined;
  const metrics =
    readerTimeoutMs !== undefined && readerTimeoutMs < exporterTimeout.ms
      ? { ms: readerTimeoutMs, label: `OTEL_METRIC_EXPORT_TIMEOUT (${readerTimeoutMs})` }
      : exporterTimeout;
  const intervalFromEnv =
    options.metricExportIntervalMs === undefined
      ? durationMs(env, 'OTEL_METRIC_EXPORT_INTERVAL', warn)
      : undefined;
  const metricExportIntervalMs =
    options.metricExportIntervalMs ?? intervalFromEnv ?? DEFAULT_METRIC_EXPORT_INTERVAL_MS;
  let metricExportTimeoutMs = metrics.ms;
  if (metricExportTimeoutMs > metricExportIntervalMs) {
    const interval = intervalFromEnv === undefined ? 'metricExportIntervalMs' : 'OTEL_METRIC_EXPORT_INTERVAL';
    diag.warn(
      `plumbline: ${metrics.label} ` +
        `is greater than ${interval} (${metricExportIntervalMs}); ` +
        'clamping the metric export timeout to the interval.',
    );
    metricExportTimeoutMs = metricExportIntervalMs;
  }
  return {
    exportTimeoutMs: Math.max(spans.ms, logs.ms, metricExportTimeoutMs),
    spanExportTimeoutMs: spans.ms,
    logExportTimeoutMs: logs.ms,
    metricExportIntervalMs,
    metricExportTimeoutMs,
  };
}

/**
 * OTEL_EXPORTER_OTLP_PROTOCOL, with OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL over it (as NodeSDK reads
 * them), saying grpc for a signal plumbline exports (`exported`, e.g. ['traces', 'metrics']):
 * plumbline's exporters speak OTLP/HTTP only, so an operator who set grpc and pointed the endpoint
 * at a collector's gRPC port (4317) had every export fail, each failure counted but nothing said
 * at start. Refused at start naming the variable, as a malformed endpoint is. http/protobuf and
 * http/json both reach an OTLP/HTTP receiver; another value is left to whoever else reads it.
 * Regression: otlp-grpc-protocol-ignored.test.ts.
 */
export function checkOtlpProtocols(exported: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const grpc = new Map<string, string[]>();
  for (const signal of exported) {
    const protocol = otlpVariable(env, signal, 'PROTOCOL');
    if (protocol?.value.trim().toLowerCase() === 'grpc')
      grpc.set(protocol.name, [...(grpc.get(protocol.name) ?? []), signal]);
  }
  if (grpc.size === 0) return;
  throw new TelemetryOptionsError(
    [...grpc].map(([name, signals]) => ({
      path: `otlpEndpoint (${name})`,
      message:
        `is "grpc", but plumbline exports ${signals.join(', ')} over OTLP/HTTP only (JSON), so every ` +
        'such export would fail: set it to http/protobuf or http/json (or unset it) and point the ' +
        "endpoint at the collector's OTLP/HTTP receiver (port 4318 by default, not gRPC's 4317)",
    })),
  );
}

function checkCount(issues: OptionIssue[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    issues.push({ path, message: `must be a whole number of at least 1, got ${describe(value)}` });
}

function checkDuration(issues: OptionIssue[], path: string, value: unknown): void {
  if (value === undefined) return;
  // setTimeout turns anything above 2^31-1 ms into 1 ms.
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 2 ** 31 - 1)
    issues.push({
      path,
      message: `must be a number of milliseconds above 0 and at most 2147483647, got ${describe(value)}`,
    });
}

/**
 * An element of spanProcessors, metricReaders, logRecordProcessors or samplingPolicies: an object with the shape's
 * members. They are read inside a try, so a throwing getter is reported against the element.
 */
function checkElement(issues: OptionIssue[], path: string, value: unknown, shape: ElementShape): void {
  if (typeof value !== 'object' || value === null) {
    issues.push({ path, message: `must be ${shape.expected}, got ${describe(value)}` });
    return;
  }
  const member = value as Record<string, unknown>;
  const notFunctions: string[] = [];
  const notStrings: string[] = [];
  for (const name of [...shape.functions, ...shape.strings]) {
    let read: unknown;
    try {
      read = member[name];
    } catch (error) {
      issues.push({
        path,
        message: `must be ${shape.expected}; reading its ${name} threw: ${errorMessage(error)}`,
      });
      return;
    }
    if (shape.functions.includes(name)) {
      if (typeof read !== 'function') notFunctions.push(name);
    } else if (typeof read !== 'string') notStrings.push(name);
  }
  const wrong = [
    notFunctions.length === 0
      ? ''
      : `${listed(notFunctions)} ${notFunctions.length === 1 ? 'is not a function' : 'are not functions'}`,
    notStrings.length === 0
      ? ''
      : `${listed(notStrings)} ${notStrings.length === 1 ? 'is not a string' : 'are not strings'}`,
  ].filter((part) => part !== '');
  if (wrong.length > 0)
    issues.push({
      path,
      message: `must be ${shape.expected}, got an object whose ${wrong.join(' and whose ')}`,
    });
}

/** "a", "a and b", "a, b and c". */
function listed(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return describe(error);
  }
}

function checkOneOf(issues: OptionIssue[], path: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !allowed.includes(value))
    issues.push({
      path,
      message: `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`,
    });
}

/** `base`: the signal paths are appended to it (else the URL is a signal's own, used as it is). */
function checkEndpoint(issues: OptionIssue[], path: string, value: unknown, base = true): void {
  if (value === undefined || value === '') return;
  if (typeof value !== 'string') {
    issues.push({ path, message: `must be an http(s) URL, got ${describe(value)}` });
    return;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.push({
      path,
      message: `must be an http(s) URL such as http://127.0.0.1:4318${base ? '' : '/v1/traces'}, got ${describe(value)}`,
    });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    issues.push({ path, message: `must use http: or https:, got ${JSON.stringify(url.protocol)}` });
    return;
  }
  if (!base) return;
  // The exporters append /v1/traces, /v1/metrics and /v1/logs to it: a signal's own URL (the
  // form OTEL_EXPORTER_OTLP_TRACES_ENDPOINT takes) posted to /v1/traces/v1/traces, and a query
  // or fragment swallowed the path, so every export was refused and dropped. Regression:
  // otlp-endpoint-with-signal-path-drops-every-export.test.ts.
  const signal = /\/v1\/(traces|metrics|logs)\/*$/.exec(url.pathname);
  if (signal !== null)
    issues.push({
      path,
      message:
        `must be the OTLP/HTTP base URL, without /v1/${signal[1]} (plumbline appends /v1/traces, ` +
        `/v1/metrics and /v1/logs): use ${JSON.stringify(url.origin + url.pathname.slice(0, signal.index))}, got ${describe(value)}`,
    });
  if (url.search !== '' || url.hash !== '')
    issues.push({
      path,
      message: `must have no query or fragment (the signal paths are appended to it), got ${describe(value)}`,
    });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

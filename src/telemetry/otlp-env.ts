// The OTel exporter variables that come in a general and a per-signal form
// (OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, ...): read as OTel's
// exporters read them, the signal's own first; and the other OTEL_* variables NodeSDK reads for
// the parts plumbline makes in its place (batch processors, metric reader, provider limits).
import { diag, DiagConsoleLogger } from '@opentelemetry/api';
import { diagLogLevelFromString, getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import type { LogRecordLimits } from '@opentelemetry/sdk-logs';
import type { SpanLimits } from '@opentelemetry/sdk-trace';

/** The signals OTLP exports, as in the /v1/<signal> paths (the variables' names say them in capitals). */
export const OTLP_SIGNALS = ['traces', 'metrics', 'logs'] as const;

export type OtlpSignal = (typeof OTLP_SIGNALS)[number];

/** Whether a variable counts as set: OTel's exporters and NodeSDK take a blank value as unset. */
export function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT, the signal's own URL (posted to as it is, nothing
 * appended), trimmed; undefined when unset or blank. Only the signal's own form: the general
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base URL, read apart.
 */
export function signalEndpoint(
  env: NodeJS.ProcessEnv,
  signal: string,
): { readonly name: string; readonly value: string } | undefined {
  const name = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT`;
  const value = env[name];
  return isSet(value) ? { name, value: value.trim() } : undefined;
}

/** The two names of an exporter variable, the signal's own first. */
function otlpNames(signal: string, suffix: string): readonly string[] {
  return [`OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`];
}

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_<SUFFIX> if it is set and not blank, else OTEL_EXPORTER_OTLP_<SUFFIX>
 * if that is; its name and value as set. `signal` as in the names (TRACES, METRICS, LOGS; any case).
 */
export function otlpVariable(
  env: NodeJS.ProcessEnv,
  signal: string,
  suffix: string,
): { readonly name: string; readonly value: string } | undefined {
  for (const name of otlpNames(signal, suffix)) {
    const value = env[name];
    if (isSet(value)) return { name, value };
  }
  return undefined;
}

/**
 * The first of the two names whose value `parse` takes, as otlp-exporter-base 0.223 reads its
 * timeout and compression (getSharedConfigurationFromEnvironment): blank is unset; a value
 * `parse` refuses is warned about and left out, so the general variable (or the default) applies.
 */
function parsedOtlpVariable<T>(
  env: NodeJS.ProcessEnv,
  signal: string,
  suffix: string,
  parse: (raw: string) => T | undefined,
  expected: string,
  warn: (message: string) => void,
): { readonly name: string; readonly value: T } | undefined {
  for (const name of otlpNames(signal, suffix)) {
    const value = parsedVariable(env, name, parse, expected, 'not used', warn);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/**
 * The variable `name` as `parse` takes it: undefined when unset or blank, and when `parse` refuses
 * it, which is warned about (`plumbline: NAME is invalid, expected ...; <then>`).
 */
function parsedVariable<T>(
  env: NodeJS.ProcessEnv,
  name: string,
  parse: (raw: string) => T | undefined,
  expected: string,
  then: string,
  warn: (message: string) => void,
): T | undefined {
  const raw = env[name];
  if (!isSet(raw)) return undefined;
  const value = parse(raw);
  if (value === undefined)
    warn(`plumbline: ${name} is invalid, expected ${expected} (actual: ${JSON.stringify(raw)}); ${then}`);
  return value;
}

/** Above this setTimeout fires at once (1 ms): a deadline that long is no deadline it can keep. */
const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

const DURATION = `a number of milliseconds above 0 and at most ${LONGEST_TIMEOUT_MS}`;

function parseDuration(raw: string): number | undefined {
  const value = Number(raw);
  return value > 0 && value <= LONGEST_TIMEOUT_MS ? value : undefined;
}

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT, in milliseconds, read as
 * OTel's exporters read them (a number above 0); also left out, and warned about: above
 * 2147483647 ms, which setTimeout would turn into 1 ms. `signal` as in the names (any case).
 */
export function otlpTimeoutMs(
  env: NodeJS.ProcessEnv,
  signal: string,
  warn: (message: string) => void,
): { readonly name: string; readonly ms: number } | undefined {
  const found = parsedOtlpVariable(env, signal, 'TIMEOUT', parseDuration, DURATION, warn);
  return found === undefined ? undefined : { name: found.name, ms: found.value };
}

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_COMPRESSION, else OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' or 'none'
 * (trimmed), read as OTel's exporters read them.
 */
export function otlpCompression(
  env: NodeJS.ProcessEnv,
  signal: string,
  warn: (message: string) => void,
): 'gzip' | 'none' | undefined {
  const parse = (raw: string) => {
    const value = raw.trim();
    return value === 'gzip' || value === 'none' ? value : undefined;
  };
  return parsedOtlpVariable(env, signal, 'COMPRESSION', parse, "'none' or 'gzip'", warn)?.value;
}

/** The batch processor settings OTEL_BSP_* (spans) and OTEL_BLRP_* (log records) give. */
export interface BatchSettings {
  readonly maxQueueSize: number | undefined;
  readonly scheduledDelayMillis: number | undefined;
  readonly exportTimeoutMillis: number | undefined;
  readonly maxExportBatchSize: number | undefined;
}

/**
 * OTEL_<BSP|BLRP>_MAX_QUEUE_SIZE, _SCHEDULE_DELAY, _EXPORT_TIMEOUT and _MAX_EXPORT_BATCH_SIZE,
 * read as NodeSDK 0.223 reads them for the batch processors it builds (getNonNegativeNumberFromEnv):
 * blank is unset; a value that is no number above 0 is warned about and left out (the default
 * applies). Also left out: a size that is no whole number, a duration above 2147483647 ms.
 */
export function batchSettings(
  env: NodeJS.ProcessEnv,
  prefix: 'BSP' | 'BLRP',
  warn: (message: string) => void,
): BatchSettings {
  const size = (suffix: string): number | undefined =>
    parsedVariable(
      env,
      `OTEL_${prefix}_${suffix}`,
      parseSize,
      'a whole number above 0',
      'using the default',
      warn,
    );
  return {
    maxQueueSize: size('MAX_QUEUE_SIZE'),
    scheduledDelayMillis: durationMs(env, `OTEL_${prefix}_SCHEDULE_DELAY`, warn),
    exportTimeoutMillis: durationMs(env, `OTEL_${prefix}_EXPORT_TIMEOUT`, warn),
    maxExportBatchSize: size('MAX_EXPORT_BATCH_SIZE'),
  };
}

/**
 * A duration in ms from the variable `name` (OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT),
 * read as NodeSDK 0.223 reads them (getNonNegativeNumberFromEnv): blank is unset; a value that is
 * no number above 0, or above 2147483647, is warned about and left out (the default applies).
 */
export function durationMs(
  env: NodeJS.ProcessEnv,
  name: string,
  warn: (message: string) => void,
): number | undefined {
  return parsedVariable(env, name, parseDuration, DURATION, 'using the default', warn);
}

function parseSize(raw: string): number | undefined {
  const value = Number(raw);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The span limits NodeSDK 0.223 gives its tracer provider from the environment
 * (createSpanLimitsFromEnv), read the same way (core's getNumberFromEnv: a value that is no
 * number is warned about and left out): OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT over
 * OTEL_ATTRIBUTE_COUNT_LIMIT, OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT over
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, and the event, link and per-event/per-link counts.
 * Unset ones are left out, so the provider's defaults apply.
 */
export function spanLimitsFromEnv(): SpanLimits {
  return withoutUndefined({
    attributeCountLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  });
}

/**
 * The log record limits NodeSDK 0.223 gives its logger provider (getLoggerProviderConfigFromEnv):
 * OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT over OTEL_ATTRIBUTE_COUNT_LIMIT, and
 * OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT over OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, each a
 * number above 0 (another value is warned about and left out).
 */
export function logRecordLimitsFromEnv(warn: (message: string) => void): LogRecordLimits {
  const read = (name: string): number | undefined => {
    const value = getNumberFromEnv(name);
    if (value === undefined || value > 0) return value;
    warn(`plumbline: ${name} (${value}) is invalid, expected a number above 0; using the default`);
    return undefined;
  };
  return withoutUndefined({
    attributeCountLimit: read('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT') ?? read('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit:
      read('OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? read('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
  });
}

function withoutUndefined<T extends Record<string, number | undefined>>(
  record: T,
): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: number;
  };
}

const DIAG_FROM_ENV = Symbol.for('plumbline.diagFromEnv');

/**
 * OTEL_LOG_LEVEL, as NodeSDK 0.223's constructor reads it: set, OTel's diag logger becomes the
 * console at that level (an unknown level: INFO, with a warning). createTelemetry never read it,
 * so what plumbline warns about while it reads its options (an invalid OTEL_* value, a clamped
 * timeout) went nowhere with OTEL_LOG_LEVEL=warn (0 lines on stderr -> 1); nor did nodeSdkParts,
 * which runs before NodeSDK's constructor sets the logger. Once a process per level. Returns
 * what removes the logger again when this call set it (nodeSdkParts: NodeSDK then sets its own
 * without a "logger will be overwritten" warning). Regression: otel-log-level-ignored.test.ts.
 */
export function diagFromEnv(): () => void {
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  const registry = globalThis as { [DIAG_FROM_ENV]?: string };
  if (level === undefined || registry[DIAG_FROM_ENV] === level) return () => {};
  registry[DIAG_FROM_ENV] = level;
  diag.setLogger(new DiagConsoleLogger(), {
    logLevel: diagLogLevelFromString(level),
    suppressOverrideMessage: true,
  });
  return () => {
    if (registry[DIAG_FROM_ENV] !== level) return;
    delete registry[DIAG_FROM_ENV];
    diag.disable();
  };
}

// OTLP/JSON over HTTP for metrics, with exemplars: the OTLP exporters of the OTel JS SDK
// write none (sdk-metrics has no exemplars in its data), so this one reads the `exemplars`
// that plumbline's MetricProducer puts on its data points. Use it as the exporter of a
// PeriodicExportingMetricReader whose `metricProducers` include `metrics.producer`.
// Encoding: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (hex trace and
// span IDs, enums as integers, 64-bit integers as decimal strings).
import { diag, type Attributes, type AttributeValue, type HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type {
  InstrumentType,
  MetricData,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { AggregationTemporality, DataPointType } from './sdk-metrics-values.js';
import type { SelfCounter } from './self-metrics.js';
import type { ExportedExemplar, WithExemplars } from './metric-producer.js';
import { readBoundedBody } from '../read-bounded-body.js';
import { requireOnUse } from '../require-on-use.js';

export interface OtlpJsonMetricExporterOptions {
  /** Base URL of an OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 (the path /v1/metrics is added). */
  readonly endpoint: string;
  /**
   * The whole URL to post to, used as it is (the form OTEL_EXPORTER_OTLP_METRICS_ENDPOINT takes);
   * given, it is used instead of `endpoint` + /v1/metrics.
   */
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * For an https: URL: the certificate authorities to trust (PEM) instead of Node's defaults, and
   * a client certificate chain and its key for mutual TLS (the files OTEL_EXPORTER_OTLP_CERTIFICATE,
   * CLIENT_CERTIFICATE and CLIENT_KEY name). Given, the export posts with node:https through an
   * agent of its own carrying them (Node's fetch takes none); the bounds are the same.
   */
  readonly tls?: OtlpTls;
  /**
   * Per export, its retries included: the last attempt is cut short at the deadline and no retry
   * starts after it. Default 10 000 ms.
   */
  readonly timeoutMillis?: number;
  /**
   * 'gzip' sends each export gzipped (Content-Encoding: gzip), as OTel's exporters do with
   * OTEL_EXPORTER_OTLP_[METRICS_]COMPRESSION=gzip. Default 'none'.
   */
  readonly compression?: 'gzip' | 'none' | undefined;
  /** Attempts per export, retries included. Default 3. */
  readonly maxAttempts?: number;
  /**
   * First retry delay, doubled per retry (with jitter). Default 200 ms. A collector's Retry-After
   * on a retryable status is waited instead; one past the deadline ends the export.
   */
  readonly retryDelayMillis?: number;
  /** Where failed exports are counted, e.g. metrics.selfCounter(...). Also in `failedExports`. */
  readonly failures?: SelfCounter;
  /**
   * Where data points the collector rejected in an accepted export (its partialSuccess) are
   * counted, with no labels. Also in `rejectedDataPoints`, and warned about through `diag`.
   */
  readonly rejectedDataPoints?: SelfCounter;
}

/** TLS material for an https: export: PEM text or the bytes of a PEM file. */
export interface OtlpTls {
  readonly ca?: string | Buffer | undefined;
  readonly cert?: string | Buffer | undefined;
  readonly key?: string | Buffer | undefined;
}

/** Statuses worth another attempt (OTLP/HTTP spec: "Retryable response codes"). */
const RETRYABLE = new Set([429, 502, 503, 504]);

/**
 * The most of a collector's answer that is read, as in OTel JS's otlp-exporter-base
 * (MAX_RESPONSE_BODY_SIZE): an answer carries at most a partialSuccess, and a collector that
 * sends more must not grow the heap of the service that exports to it.
 */
const MAX_RESPONSE_BODY_BYTES = 4 * 1024 * 1024;

/** A collector's error message in a partial success is cut to this many characters in the warning. */
const MAX_WARNED_MESSAGE = 1024;

export class OtlpJsonMetricExporter implements PushMetricExporter {
  /** Exports that failed after all attempts (or were refused as malformed). */
  failedExports = 0;
  /** Data points the collector rejected in exports it otherwise accepted (partialSuccess). */
  rejectedDataPoints = 0;
  private readonly url: string;
  private readonly pending = new Set<Promise<void>>();
  private shutDown = false;
  /** The TLS material to post with, when the URL is https: and some was given. */
  private readonly tls: OtlpTls | undefined;
  /** The https: agent carrying `tls`, made at the first export. */
  private agent: Https.Agent | undefined;

  constructor(private readonly options: OtlpJsonMetricExporterOptions) {
    this.url = options.url ?? `${options.endpoint.replace(/\/+$/, '')}/v1/metrics`;
    const tls = options.tls;
    this.tls =
      tls !== undefined &&
      /^https:/i.test(this.url) &&
      (tls.ca !== undefined || tls.cert !== undefined || tls.key !== undefined)
        ? tls
        : undefined;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    const done = this.send(metrics).then(
      (error) => {
        if (error !== undefined) this.countFailure(error);
        safeCall(
          resultCallback,
          error === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error },
        );
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.countFailure(failure);
        safeCall(resultCallback, { code: ExportResultCode.FAILED, error: failure });
      },
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  selectAggregationTemporality(_instrumentType: InstrumentType): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    await this.forceFlush();
    // Its idle keep-alive connections go with it (they hold no process open: Node unrefs them).
    this.agent?.destroy();
  }

  /**
   * One attempt's request: with fetch, or with TLS material through node:https, whose answer is
   * given the shape of fetch's (its body read as fetch's is; the signal ends both).
   */
  private post(
    headers: Record<string, string>,
    body: string | Buffer,
    signal: AbortSignal,
  ): Promise<Response> {
    if (this.tls === undefined) return fetch(this.url, { method: 'POST', headers, body, signal });
    // Loaded at the first export, as OTel's exporters load theirs: after the HTTP
    // instrumentation, which must see node:https first. Its export runs with tracing suppressed.
    const https = requireOnUse('node:https') as typeof Https;
    this.agent ??= new https.Agent({ keepAlive: true, ...this.tls });
    const agent = this.agent;
    return new Promise<Response>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const request = https.request(
        this.url,
        {
          method: 'POST',
          agent,
          signal,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (message) => {
          try {
            resolve(fetchResponse(message));
          } catch (error) {
            message.destroy();
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        },
      );
      // An abort fails as fetch's does, with the signal's reason (a TimeoutError at the deadline).
      request.on('error', (error) => reject(signal.aborted ? signal.reason : error));
      request.end(body);
    });
  }

  // Resolves with the final error, or undefined on success; never rejects.
  private async send(metrics: ResourceMetrics): Promise<Error | undefined> {
    let body: string | Buffer;
    const gzipped = this.options.compression === 'gzip';
    try {
      body = JSON.stringify(encodeResourceMetrics(metrics));
      // Once per export, off the record path; async, so a large export does not block the loop.
      if (gzipped) body = await gzipAsync(body);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    const attempts = Math.max(1, this.options.maxAttempts ?? 3);
    // One deadline for the export: a black-holed endpoint costs timeoutMillis, not that per attempt.
    const deadline = Date.now() + (this.options.timeoutMillis ?? 10_000);
    let delay = this.options.retryDelayMillis ?? 200;
    let lastError: Error = new Error('no attempt made');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let retryAfter: number | undefined;
      try {
        // The signal also ends the reading of the answer's body: nothing outlives the deadline.
        const response = await this.post(
          {
            'content-type': 'application/json',
            ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
            ...this.options.headers,
          },
          body,
          AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        );
        if (response.ok) {
          // Accepted: what the answer says (a partial success) is reported, never a failure.
          this.readAnswer(response.status, await readBounded(response));
          return undefined;
        }
        // A refusal's body is not used; dropping it unread means one that never ends cannot
        // hold the export (and its retries) until the deadline.
        discard(response);
        lastError = new Error(`OTLP metrics export to ${this.url} failed: HTTP ${response.status}`);
        if (!RETRYABLE.has(response.status)) return lastError;
        retryAfter = retryAfterMillis(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
      if (attempt < attempts) {
        // OTLP/HTTP: the client SHOULD honour Retry-After on a retryable status; the export's
        // deadline caps it, as in OTel JS's retrying transport.
        const wait = retryAfter ?? delay * (0.5 + Math.random() / 2);
        // A retry that could not start before the deadline is not made.
        if (Date.now() + wait >= deadline) {
          if (retryAfter !== undefined)
            lastError.message += ` (Retry-After ${Math.ceil(retryAfter / 1000)} s: past the export's deadline, not retried)`;
          break;
        }
        await sleep(wait);
        delay *= 2;
      }
    }
    return lastError;
  }

  /** The answer to an accepted export: warns about, and counts, what its partialSuccess rejected. */
  private readAnswer(status: number, body: Buffer | 'too_long' | 'unreadable'): void {
    if (body === 'too_long' || body === 'unreadable') {
      diag.warn(
        `plumbline: the OTLP metrics collector at ${this.url} accepted an export (HTTP ${status}) with ` +
          (body === 'too_long'
            ? `an answer over ${MAX_RESPONSE_BODY_BYTES} bytes, left unread`
            : 'an answer that could not be read (the connection failed or the deadline came)') +
          '; a partial success in it is not seen',
      );
      return;
    }
    if (body.byteLength === 0) return;
    let answer: unknown;
    try {
      answer = JSON.parse(body.toString('utf8'));
    } catch {
      return; // not OTLP/JSON: nothing to read in it
    }
    const partial = (answer as { partialSuccess?: unknown } | null)?.partialSuccess;
    if (typeof partial !== 'object' || partial === null) return;
    const { rejectedDataPoints, errorMessage } = partial as Record<string, unknown>;
    const rejected = partialSuccessCount(rejectedDataPoints);
    const message = typeof errorMessage === 'string' ? errorMessage : '';
    // OTLP: an empty partialSuccess, or one with 0 rejected and no message, means full success.
    if (rejected === 0 && message === '') return;
    diag.warn(
      `plumbline: the OTLP metrics collector at ${this.url} rejected ${rejected} data point(s) of an export` +
        (message === '' ? '' : `: ${message.slice(0, MAX_WARNED_MESSAGE)}`),
    );
    if (rejected === 0) return;
    this.rejectedDataPoints += rejected;
    try {
      this.options.rejectedDataPoints?.add(rejected, {});
    } catch {
      // Counting must not turn an accepted export into a thrown one.
    }
  }

  private countFailure(error: Error): void {
    this.failedExports++;
    try {
      this.options.failures?.add(1, { reason: error.name === 'TimeoutError' ? 'timeout' : 'error' });
    } catch {
      // Counting must not turn a failed export into a thrown one.
    }
  }
}

function safeCall(callback: (result: ExportResult) => void, result: ExportResult): void {
  try {
    callback(result);
  } catch {
    // The reader's callback is not ours to fail.
  }
}

const gzipAsync = promisify(gzip);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The answer's body, up to MAX_RESPONSE_BODY_BYTES: beyond that the rest is cancelled unread
 * ('too_long'); 'unreadable' when the connection failed or the deadline came first.
 */
async function readBounded(response: Response): Promise<Buffer | 'too_long' | 'unreadable'> {
  try {
    return await readBoundedBody(response, MAX_RESPONSE_BODY_BYTES);
  } catch {
    return 'unreadable';
  }
}

/**
 * A node:http answer as a fetch Response: its status, its headers (one fetch would refuse is left
 * out) and its body as a stream (none for the statuses that carry none). A status fetch cannot
 * hold (outside 200-599) throws.
 */
function fetchResponse(message: IncomingMessage): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    try {
      headers.append(raw[index]!, raw[index + 1]!);
    } catch {
      // Not a header value fetch takes; nothing read from the answer needs it.
    }
  }
  if (status === 204 || status === 205 || status === 304) {
    message.resume();
    return new Response(null, { status, headers });
  }
  return new Response(Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>, { status, headers });
}

/** Lets go of a body without reading it (the connection is closed rather than reused). */
function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

/**
 * Retry-After (RFC 9110 section 10.2.3) in ms from `now`: delay-seconds or an HTTP-date (one in
 * the past means now); undefined when absent or neither.
 */
function retryAfterMillis(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names its weekday and month; Date.parse alone would read '1.5' as a date.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A partialSuccess count: int64 as a decimal string in OTLP/JSON, or a number; 0 otherwise. */
export function partialSuccessCount(value: unknown): number {
  const count = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof count === 'number' && Number.isFinite(count) && count > 0 ? Math.floor(count) : 0;
}

// ---- OTLP/JSON encoding (opentelemetry-proto metrics/v1, JSON mapping) ----

export function encodeResourceMetrics(metrics: ResourceMetrics): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: encodeAttributes(metrics.resource.attributes) },
        scopeMetrics: metrics.scopeMetrics.map((scope) => ({
          scope: {
            name: scope.scope.name,
            ...(scope.scope.version === undefined ? {} : { version: scope.scope.version }),
          },
          metrics: scope.metrics.map(encodeMetric),
        })),
      },
    ],
  };
}

function encodeMetric(metric: MetricData): unknown {
  const head = {
    name: metric.descriptor.name,
    description: metric.descriptor.description,
    unit: metric.descriptor.unit,
  };
  const temporality = metric.aggregationTemporality === AggregationTemporality.CUMULATIVE ? 2 : 1;
  switch (metric.dataPointType) {
    case DataPointType.HISTOGRAM:
      return {
        ...head,
        histogram: {
          aggregationTemporality: temporality,
          dataPoints: metric.dataPoints.map((point) => ({
            ...pointTimes(point.startTime, point.endTime, point.attributes),
            count: uint64(point.value.count),
            ...(point.value.sum === undefined ? {} : { sum: double(point.value.sum) }),
            bucketCounts: point.value.buckets.counts.map(uint64),
            explicitBounds: point.value.buckets.boundaries.map(double),
            ...(point.value.min === undefined ? {} : { min: double(point.value.min) }),
            ...(point.value.max === undefined ? {} : { max: double(point.value.max) }),
            ...encodeExemplars(point),
          })),
        },
      };
    case DataPointType.SUM:
      return {
        ...head,
        sum: {
          aggregationTemporality: temporality,
          isMonotonic: metric.isMonotonic,
          dataPoints: metric.dataPoints.map((point) => ({
            ...pointTimes(point.startTime, point.endTime, point.attributes),
            asDouble: double(point.value),
            ...encodeExemplars(point),
          })),
        },
      };
    case DataPointType.GAUGE:
      return {
        ...head,
        gauge: {
          dataPoints: metric.dataPoints.map((point) => ({
            ...pointTimes(point.startTime, point.endTime, point.attributes),
            asDouble: double(point.value),
          })),
        },
      };
    default:
      // Exponential histograms are not produced by plumbline; another producer's are skipped.
      return head;
  }
}

function pointTimes(start: HrTime, end: HrTime, attributes: Attributes) {
  return {
    attributes: encodeAttributes(attributes),
    startTimeUnixNano: nanos(start),
    timeUnixNano: nanos(end),
  };
}

function encodeExemplars(point: object): { exemplars?: unknown[] } {
  const exemplars = (point as WithExemplars).exemplars;
  if (exemplars === undefined || exemplars.length === 0) return {};
  return {
    exemplars: exemplars.map((exemplar: ExportedExemplar) => ({
      timeUnixNano: String(BigInt(Math.round(exemplar.timeUnixMs)) * 1_000_000n),
      asDouble: double(exemplar.value),
      ...(exemplar.traceId === '' ? {} : { traceId: exemplar.traceId, spanId: exemplar.spanId }),
      filteredAttributes: encodeAttributes(exemplar.filteredAttributes),
    })),
  };
}

function nanos(time: HrTime): string {
  return String(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]));
}

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;
const UINT64_MAX = '18446744073709551615';

/**
 * A double in the proto3 JSON mapping: JSON.stringify writes NaN and ±Infinity as null, which a
 * collector refuses (HTTP 400, the whole request lost); the mapping spells them as strings.
 */
function double(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** A uint64 count as its decimal string, exact beyond 2^53 and never in exponent notation. */
function uint64(value: number): string {
  if (Number.isSafeInteger(value) && value >= 0) return String(value);
  if (!(value > 0)) return '0';
  if (value >= 2 ** 64) return UINT64_MAX;
  return BigInt(Math.floor(value)).toString();
}

// Attributes come from any producer (an app's own instruments through sdk-metrics, which passes
// values through unchecked): a value that is no attribute value, or a getter that throws, is
// left out of the batch rather than failing every export.
function encodeAttributes(attributes: Attributes): unknown[] {
  const out: unknown[] = [];
  let keys: string[];
  try {
    keys = Object.keys(attributes);
  } catch {
    return out;
  }
  for (const key of keys) {
    let encoded: unknown;
    try {
      const value = attributes[key];
      encoded = value === undefined || value === null ? undefined : encodeValue(value);
    } catch {
      encoded = undefined;
    }
    if (encoded !== undefined) out.push({ key, value: encoded });
  }
  return out;
}

/** undefined for what is no attribute value (an object, a function, an array holding one). */
function encodeValue(value: AttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number')
    // int64 as its exact decimal (String(2 ** 64) is '18446744073709552000', String(1e21) '1e+21',
    // and a collector refuses the whole request for either); an integer beyond int64 is a double,
    // as in OTel JS's protobuf serializer.
    return Number.isSafeInteger(value)
      ? { intValue: String(value) }
      : Number.isInteger(value) && value >= INT64_MIN && value < INT64_LIMIT
        ? { intValue: BigInt(value).toString() }
        : { doubleValue: double(value) };
  const other: unknown = value;
  // No attribute value to OTel's types, but an app can pass one: written as the integer it is.
  if (typeof other === 'bigint')
    return other >= -(2n ** 63n) && other < 2n ** 63n
      ? { intValue: other.toString() }
      : { doubleValue: double(Number(other)) };
  if (!Array.isArray(other)) return undefined;
  const values: unknown[] = [];
  for (const item of other as readonly unknown[]) {
    if (item === null || item === undefined) continue;
    const encoded = encodeValue(item as AttributeValue);
    if (encoded === undefined) return undefined;
    values.push(encoded);
  }
  return { arrayValue: { values } };
}

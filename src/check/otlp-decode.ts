// Turns an OTLP/HTTP request body (JSON or protobuf, optionally gzip) into plain records the
// checks read: spans, log records and metric points with their attributes as JS values.
// JSON encoding: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
import { constants } from 'node:buffer';
import { gunzipSync, inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { OTLP_PROTO_FILES } from './otlp-proto-files.js';

export type Signal = 'traces' | 'logs' | 'metrics';

export type AttributeValue =
  string | number | boolean | null | readonly AttributeValue[] | { readonly [key: string]: AttributeValue };
export type AttributeMap = Readonly<Record<string, AttributeValue>>;

/** OTLP span kinds (SPAN_KIND_SERVER = 2, SPAN_KIND_CONSUMER = 5). */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CONSUMER = 5;
/**
 * Span flags: the parent is known to be remote when both bits are set (OTLP 1.4). Older exporters
 * (opentelemetry-js before open-telemetry/opentelemetry-js#5910, September 2025; Go and Java set
 * them since 2024) send neither: whether a span with a parent is a local root is then unknown.
 */
const FLAG_HAS_IS_REMOTE = 0x100;
const FLAG_IS_REMOTE = 0x200;

export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: AttributeMap;
  /** No parent, or a parent from another process: the span the tail sampler keys on. */
  readonly localRoot: boolean;
  /**
   * It has a parent and its flags do not say whether that parent is remote (no
   * HAS_IS_REMOTE bit: an older exporter). `localRoot` is then false: not checked as a root.
   */
  readonly parentOriginUnknown?: boolean;
  readonly resource: AttributeMap;
}

export interface OtlpLogRecord {
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
  readonly severityText: string;
  readonly body: AttributeValue;
  readonly attributes: AttributeMap;
  readonly resource: AttributeMap;
  /** The instrumentation scope's name (`scopeLogs[].scope.name`): the logger's; '' when absent. */
  readonly scope: string;
}

export type OtlpMetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';

export interface OtlpPoint {
  readonly attributes: AttributeMap;
  /** Histograms: the explicit upper bounds (+Inf implicit) and the count per bucket. */
  readonly explicitBounds?: readonly number[];
  readonly bucketCounts?: readonly number[];
  readonly exemplars: number;
}

export interface OtlpMetric {
  readonly name: string;
  readonly unit: string;
  readonly type: OtlpMetricType;
  readonly monotonic: boolean;
  readonly points: readonly OtlpPoint[];
  readonly resource: AttributeMap;
  /** The instrumentation scope's name (`scopeMetrics[].scope.name`), '' when absent. */
  readonly scope: string;
}

export interface DecodedRequest {
  readonly spans: readonly OtlpSpan[];
  readonly logRecords: readonly OtlpLogRecord[];
  readonly metrics: readonly OtlpMetric[];
}

export class OtlpDecodeError extends Error {}

const REQUEST_TYPES: Readonly<Record<Signal, string>> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
};

let root: protobuf.Root | undefined;
function protoRoot(): protobuf.Root {
  if (root === undefined) {
    root = new protobuf.Root();
    for (const file of OTLP_PROTO_FILES) protobuf.parse(file, root);
    root.resolveAll();
  }
  return root;
}

/** A body past the size bound: compressed, or once decompressed. */
export class OtlpBodyTooLargeError extends Error {}

/**
 * The body without its content-encoding (gzip and deflate; identity passes through). Inflating
 * stops at `maxBytes`: a gzip bomb (32 MiB of gzip is 32 GiB of zeros) is refused, not held.
 */
export function decompress(body: Buffer, encoding: string | undefined, maxBytes = Infinity): Buffer {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  if (name !== 'gzip' && name !== 'deflate')
    throw new OtlpDecodeError(`content-encoding ${name} is not supported (gzip, deflate, identity)`);
  // maxOutputLength refuses more than buffer.constants.MAX_LENGTH, the most a Buffer holds anyway.
  const options = { maxOutputLength: Math.min(maxBytes, constants.MAX_LENGTH) };
  try {
    return name === 'gzip' ? gunzipSync(body, options) : inflateSync(body, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new OtlpBodyTooLargeError(`body larger than ${maxBytes} bytes once decompressed`);
    throw error;
  }
}

/** Decodes one export request; `contentType` picks JSON or protobuf. */
export function decodeOtlpRequest(signal: Signal, body: Buffer, contentType: string): DecodedRequest {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let message: Record<string, unknown>;
  if (type === 'application/json') {
    try {
      message = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new OtlpDecodeError(`body is not JSON: ${(error as Error).message}`);
    }
  } else if (type === 'application/x-protobuf' || type === 'application/protobuf') {
    const requestType = protoRoot().lookupType(REQUEST_TYPES[signal]);
    try {
      message = requestType.toObject(requestType.decode(body), { longs: String, enums: Number }) as Record<
        string,
        unknown
      >;
    } catch (error) {
      throw new OtlpDecodeError(`body is not an OTLP ${signal} protobuf: ${(error as Error).message}`);
    }
  } else {
    throw new OtlpDecodeError(
      `content-type ${type} is not OTLP (application/json or application/x-protobuf)`,
    );
  }
  if (typeof message !== 'object' || message === null) throw new OtlpDecodeError('body is not an object');
  if (signal === 'traces') return { spans: readSpans(message), logRecords: [], metrics: [] };
  if (signal === 'logs') return { spans: [], logRecords: readLogRecords(message), metrics: [] };
  return { spans: [], logRecords: [], metrics: readMetrics(message) };
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Trace and span IDs: hex in JSON, bytes in protobuf; empty when absent. */
function id(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return '';
}

/**
 * Every item of an export request with its resource's attributes and its instrumentation scope's
 * name: the three signals nest alike
 * (resourceSpans → scopeSpans → spans, resourceLogs → scopeLogs → logRecords, resourceMetrics →
 * scopeMetrics → metrics).
 */
function readItems<T>(
  message: Json,
  [resourceKey, scopeKey, itemKey]: readonly [string, string, string],
  read: (item: Json, resource: AttributeMap, scope: string) => T | undefined,
): T[] {
  const items: T[] = [];
  for (const resourceBlock of list(message[resourceKey])) {
    const resource = attributes((resourceBlock.resource as Json | undefined)?.attributes);
    for (const scopeBlock of list(resourceBlock[scopeKey])) {
      const scope = text((scopeBlock.scope as Json | undefined)?.name);
      for (const item of list(scopeBlock[itemKey])) {
        const value = read(item, resource, scope);
        if (value !== undefined) items.push(value);
      }
    }
  }
  return items;
}

function readSpans(message: Json): OtlpSpan[] {
  return readItems(message, ['resourceSpans', 'scopeSpans', 'spans'], (span, resource) => {
    const parentSpanId = id(span.parentSpanId);
    const flags = Number(span.flags ?? 0);
    const knownOrigin = (flags & FLAG_HAS_IS_REMOTE) !== 0;
    const remoteParent = knownOrigin && (flags & FLAG_IS_REMOTE) !== 0;
    const hasParent = parentSpanId !== '' && !/^0+$/.test(parentSpanId);
    return {
      traceId: id(span.traceId),
      spanId: id(span.spanId),
      parentSpanId,
      name: text(span.name),
      kind: Number(span.kind ?? 0),
      attributes: attributes(span.attributes),
      localRoot: !hasParent || remoteParent,
      parentOriginUnknown: hasParent && !knownOrigin,
      resource,
    };
  });
}

function readLogRecords(message: Json): OtlpLogRecord[] {
  return readItems(message, ['resourceLogs', 'scopeLogs', 'logRecords'], (record, resource, scope) => ({
    traceId: id(record.traceId),
    spanId: id(record.spanId),
    eventName: text(record.eventName),
    severityText: text(record.severityText),
    body: anyValue(record.body),
    attributes: attributes(record.attributes),
    resource,
    scope,
  }));
}

function readMetrics(message: Json): OtlpMetric[] {
  return readItems(message, ['resourceMetrics', 'scopeMetrics', 'metrics'], (metric, resource, scope) => {
    const read = metricData(metric);
    if (read === undefined) return undefined;
    return {
      name: text(metric.name),
      unit: text(metric.unit),
      type: read.type,
      monotonic: read.data.isMonotonic === true,
      points: list(read.data.dataPoints).map((point) => ({
        attributes: attributes(point.attributes),
        ...(read.type === 'histogram'
          ? {
              explicitBounds: list(point.explicitBounds).map(Number),
              bucketCounts: list(point.bucketCounts).map(Number),
            }
          : {}),
        exemplars: list(point.exemplars).length,
      })),
      resource,
      scope,
    };
  });
}

function metricData(metric: Json): { type: OtlpMetricType; data: Json } | undefined {
  for (const [key, type] of [
    ['gauge', 'gauge'],
    ['sum', 'sum'],
    ['histogram', 'histogram'],
    ['exponentialHistogram', 'exponential_histogram'],
    ['summary', 'summary'],
  ] as const) {
    const data = metric[key];
    if (typeof data === 'object' && data !== null) return { type, data: data as Json };
  }
  return undefined;
}

function attributes(value: unknown): AttributeMap {
  const out: Record<string, AttributeValue> = {};
  for (const keyValue of list(value)) out[text(keyValue.key)] = anyValue(keyValue.value);
  return out;
}

/** An AnyValue as a JS value: int64 stays a number when it fits, bytes become base64. */
function anyValue(value: unknown): AttributeValue {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Json;
  if ('stringValue' in v) return text(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list((v.arrayValue as Json | undefined)?.values).map(anyValue);
  if ('kvlistValue' in v) return attributes((v.kvlistValue as Json | undefined)?.values);
  if ('bytesValue' in v)
    return v.bytesValue instanceof Uint8Array
      ? Buffer.from(v.bytesValue).toString('base64')
      : text(v.bytesValue);
  return null;
}

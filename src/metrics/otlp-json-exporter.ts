// OTLP/JSON over HTTP for metrics, with exemplars: the OTLP exporters of the OTel JS SDK
// write none (sdk-metrics has no exemplars in its data), so this one reads the `exemplars`
// that plumbline's MetricProducer puts on its data points. Use it as the exporter of a
// PeriodicExportingMetricReader whose `metricProducers` include `metrics.producer`.
// Encoding: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (hex trace and
// span IDs, enums as integers, 64-bit integers as decimal strings).
import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type {
  InstrumentType,
  MetricData,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { AggregationTemporality, DataPointType } from './sdk-metrics-values.js';
import type { SelfCounter } from './self-metrics.js';
import type { ExportedExemplar, WithExemplars } from './metric-producer.js';

export interface OtlpJsonMetricExporterOptions {
  /** Base URL of an OTLP/HTTP receiver, e.g. http://127.0.0.1:4318 (the path /v1/metrics is added). */
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Per export, its retries included: the last attempt is cut short at the deadline and no retry
   * starts after it. Default 10 000 ms.
   */
  readonly timeoutMillis?: number;
  /** Attempts per export, retries included. Default 3. */
  readonly maxAttempts?: number;
  /** First retry delay, doubled per retry (with jitter). Default 200 ms. */
  readonly retryDelayMillis?: number;
  /** Where failed exports are counted, e.g. metrics.selfCounter(...). Also in `failedExports`. */
  readonly failures?: SelfCounter;
}

/** Statuses worth another attempt (OTLP/HTTP spec: "Retryable response codes"). */
const RETRYABLE = new Set([429, 502, 503, 504]);

export class OtlpJsonMetricExporter implements PushMetricExporter {
  /** Exports that failed after all attempts (or were refused as malformed). */
  failedExports = 0;
  private readonly url: string;
  private readonly pending = new Set<Promise<void>>();
  private shutDown = false;

  constructor(private readonly options: OtlpJsonMetricExporterOptions) {
    this.url = `${options.endpoint.replace(/\/+$/, '')}/v1/metrics`;
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
  }

  // Resolves with the final error, or undefined on success; never rejects.
  private async send(metrics: ResourceMetrics): Promise<Error | undefined> {
    let body: string;
    try {
      body = JSON.stringify(encodeResourceMetrics(metrics));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    const attempts = Math.max(1, this.options.maxAttempts ?? 3);
    // One deadline for the export: a black-holed endpoint costs timeoutMillis, not that per attempt.
    const deadline = Date.now() + (this.options.timeoutMillis ?? 10_000);
    let delay = this.options.retryDelayMillis ?? 200;
    let lastError: Error = new Error('no attempt made');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.options.headers },
          body,
          signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return undefined;
        lastError = new Error(`OTLP metrics export to ${this.url} failed: HTTP ${response.status}`);
        if (!RETRYABLE.has(response.status)) return lastError;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
      if (attempt < attempts) {
        const wait = delay * (0.5 + Math.random() / 2);
        // A retry that could not start before the deadline is not made.
        if (Date.now() + wait >= deadline) break;
        await sleep(wait);
        delay *= 2;
      }
    }
    return lastError;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
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
            count: String(point.value.count),
            ...(point.value.sum === undefined ? {} : { sum: point.value.sum }),
            bucketCounts: point.value.buckets.counts.map(String),
            explicitBounds: point.value.buckets.boundaries,
            ...(point.value.min === undefined ? {} : { min: point.value.min }),
            ...(point.value.max === undefined ? {} : { max: point.value.max }),
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
            asDouble: point.value,
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
            asDouble: point.value,
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
      asDouble: exemplar.value,
      ...(exemplar.traceId === '' ? {} : { traceId: exemplar.traceId, spanId: exemplar.spanId }),
      filteredAttributes: encodeAttributes(exemplar.filteredAttributes),
    })),
  };
}

function nanos(time: HrTime): string {
  return String(BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]));
}

function encodeAttributes(attributes: Attributes): unknown[] {
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    out.push({ key, value: encodeValue(value) });
  }
  return out;
}

function encodeValue(value: AttributeValue): unknown {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number')
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return {
    arrayValue: {
      values: (value as readonly unknown[])
        .filter((item) => item !== null && item !== undefined)
        .map((item) => encodeValue(item as AttributeValue)),
    },
  };
}

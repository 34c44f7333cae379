// plumbline's instruments as an sdk-metrics MetricProducer: pass `metrics.producer` in a
// MetricReader's `metricProducers` option and any OTel exporter sees them. sdk-metrics'
// data types have no exemplars, so each data point also carries an `exemplars` array that
// plumbline's OtlpJsonMetricExporter writes (other exporters ignore the extra property).
import { ValueType, type Attributes } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type {
  CollectionResult,
  DataPoint,
  Histogram,
  MetricData,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { ServiceSpec } from '../spec/types.js';
import { readFilteredAttributes } from './exemplar-attributes.js';
import type { ExemplarReservoir } from './exemplar-reservoir.js';
import type { MetricRegistry } from './registry.js';
import { AggregationTemporality, DataPointType } from './sdk-metrics-values.js';
import type { SelfFamilyHeader, SelfSample } from './self-metrics.js';
import { OVERFLOW_ATTRIBUTE, type SeriesIdentity, type SeriesTable } from './series-table.js';

/** One stored exemplar as exported over OTLP (trace and span IDs as hex). */
export interface ExportedExemplar {
  readonly value: number;
  readonly timeUnixMs: number;
  /** '' when the measurement was made outside a span (always_on filter). */
  readonly traceId: string;
  readonly spanId: string;
  /** The measurement's attributes that are not labels of its series. */
  readonly filteredAttributes: Attributes;
}

/** What plumbline's data points carry beyond sdk-metrics' DataPoint. */
export interface WithExemplars {
  readonly exemplars?: readonly ExportedExemplar[];
}

export const INSTRUMENTATION_SCOPE = { name: 'plumbline' } as const;

/**
 * The overflow series' attributes as sdk-metrics writes them (DeltaMetricProcessor): a boolean,
 * so OTLP carries `boolValue: true` where our exposition's label reads "true".
 */
const OVERFLOW_POINT_ATTRIBUTES: Attributes = Object.freeze({ [OVERFLOW_ATTRIBUTE]: true });

export class PlumblineMetricProducer implements MetricProducer {
  constructor(
    private readonly registry: MetricRegistry,
    private readonly service: ServiceSpec,
    private readonly now: () => number,
    /** Start of the self metrics' cumulative sums: when createMetrics ran. */
    private readonly startMs: number,
  ) {}

  async collect(): Promise<CollectionResult> {
    const errors: unknown[] = [];
    const metrics: MetricData[] = [];
    try {
      this.collectInto(metrics);
    } catch (error) {
      errors.push(error);
    }
    const attributes: Attributes = { 'service.name': this.service.name };
    if (this.service.version !== undefined) attributes['service.version'] = this.service.version;
    return {
      resourceMetrics: {
        resource: resourceFromAttributes(attributes),
        scopeMetrics: [{ scope: INSTRUMENTATION_SCOPE, metrics }],
      },
      errors,
    };
  }

  private collectInto(metrics: MetricData[]): void {
    const endTime = millisToHrTime(this.now());
    const registry = this.registry;
    for (const histogram of registry.histograms) {
      const declared = new Set(histogram.spec.attributes ?? []);
      const boundaries = [...histogram.boundaries];
      const all = histogram.table.withOverflow;
      const dataPoints: (DataPoint<Histogram> & WithExemplars)[] = all.map((series) => ({
        startTime: millisToHrTime(series.identity.createdMs),
        endTime,
        attributes: pointAttributes(histogram.table, series),
        value: {
          buckets: { boundaries, counts: [...series.counts] },
          count: series.count,
          sum: series.sum,
          min: series.count === 0 ? undefined : series.min,
          max: series.count === 0 ? undefined : series.max,
        },
        exemplars: exportExemplars(series.exemplars, declared, registry, histogram.name),
      }));
      metrics.push({
        ...cumulative(histogram.name, histogram.spec),
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints,
      });
    }
    for (const counter of registry.counters) {
      const declared = new Set(counter.spec.attributes ?? []);
      const all = counter.table.withOverflow;
      metrics.push({
        ...cumulative(counter.name, counter.spec),
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: all.map((series) => ({
          startTime: millisToHrTime(series.identity.createdMs),
          endTime,
          attributes: pointAttributes(counter.table, series),
          value: series.value,
          exemplars: exportExemplars(series.exemplars, declared, registry, counter.name),
        })),
      });
    }
    for (const gauge of registry.gauges) {
      const all = gauge.table.withOverflow;
      metrics.push({
        ...cumulative(gauge.name, gauge.spec),
        dataPointType: DataPointType.GAUGE,
        dataPoints: all.map((series) => ({
          startTime: millisToHrTime(series.identity.createdMs),
          endTime,
          attributes: pointAttributes(gauge.table, series),
          value: series.value,
        })),
      });
    }
    const selfPoints = (samples: SelfSample[]) =>
      samples.map((sample) => ({
        startTime: millisToHrTime(this.startMs),
        endTime,
        attributes:
          sample.labels[OVERFLOW_ATTRIBUTE] === undefined ? sample.labels : OVERFLOW_POINT_ATTRIBUTES,
        value: sample.value,
      }));
    for (const counter of registry.selfCounters) {
      metrics.push({
        descriptor: { name: counter.name, description: counter.help, unit: '', valueType: ValueType.DOUBLE },
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: selfPoints(counter.samples()),
      });
    }
    const pushSelfGauge = (gauge: SelfFamilyHeader, samples: SelfSample[]) => {
      const descriptor = { name: gauge.name, description: gauge.help, unit: '', valueType: ValueType.DOUBLE };
      const dataPoints = selfPoints(samples);
      if (gauge.type === 'counter') {
        metrics.push({
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints,
        });
      } else {
        metrics.push({
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints,
        });
      }
    };
    for (const group of registry.selfGauges) group.collect(pushSelfGauge);
  }
}

/** A series' attributes as a data point carries them: the overflow attribute as sdk-metrics spells it. */
function pointAttributes<T extends { readonly identity: SeriesIdentity }>(
  table: SeriesTable<T>,
  series: T,
): Attributes {
  if (series === table.overflow) return OVERFLOW_POINT_ATTRIBUTES;
  if (!table.isOverflow(series)) return series.identity.attributes;
  // An overflow series that keeps the attributes its SLOs read (series-table.ts OverflowSplit).
  return { ...series.identity.attributes, [OVERFLOW_ATTRIBUTE]: true };
}

function exportExemplars(
  reservoir: ExemplarReservoir | undefined,
  declared: ReadonlySet<string>,
  registry: MetricRegistry,
  metric: string,
): ExportedExemplar[] | undefined {
  if (reservoir === undefined) return undefined;
  const exemplars: ExportedExemplar[] = [];
  let dropped = 0;
  for (let slot = 0; slot < reservoir.values.length; slot++) {
    if (!reservoir.isFilled(slot)) continue;
    // Read here, never thrown: a value that cannot be exported is left out and counted.
    const filtered = readFilteredAttributes(reservoir.attributes[slot], declared);
    dropped += filtered.dropped;
    exemplars.push({
      value: reservoir.values[slot]!,
      timeUnixMs: reservoir.timesMs[slot]!,
      traceId: reservoir.traces[slot]!.traceId,
      spanId: reservoir.traces[slot]!.spanId,
      filteredAttributes: filtered.attributes,
    });
  }
  if (dropped > 0) registry.onExemplarAttributesDropped(metric, dropped);
  return exemplars;
}

/** The descriptor and temporality every spec instrument's data carries. */
function cumulative(
  name: string,
  spec: { readonly description: string; readonly unit?: string | undefined },
): Pick<MetricData, 'descriptor' | 'aggregationTemporality'> {
  return {
    descriptor: { name, description: spec.description, unit: spec.unit ?? '', valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
  };
}

// createMetrics: the spec's histograms, counters and gauges as typed handles, plus the SDK's
// self metrics, one exposition and one MetricProducer over all of them.
import { sdkSeries } from '../spec/naming.js';
import type { MetricProducer } from '@opentelemetry/sdk-metrics';
import { resolveSpec } from '../spec/model.js';
import type { CounterName, GaugeName, HistogramName, TelemetrySpec } from '../spec/types.js';
import { contentTypeOf, negotiateFormat } from './content-negotiation.js';
import { CounterInstrument, type CounterHandle } from './counter.js';
import { resolveExemplarFilter, type ExemplarFilter } from './exemplar-filter.js';
import { UNREADABLE_ATTRIBUTES, type OnInvalid } from './histogram.js';
import type { ExemplarHook, ExemplarSettings } from './exemplar-reservoir.js';
import { Exposition } from './exposition.js';
import { GaugeInstrument, type GaugeHandle } from './gauge.js';
import { HistogramInstrument, type HistogramHandle, type MeasurementListener } from './histogram.js';
import { PlumblineMetricProducer } from './metric-producer.js';
import type { MetricRegistry } from './registry.js';
import { IssueListError } from '../spec/errors.js';
import { overflowSplits } from './overflow-split.js';
import { longMatchIssue, matchValuesLongerThan } from '../slo/match-value-length.js';
import type { SloModel } from '../slo/model.js';
import {
  DEFAULT_LABEL_VALUE_LENGTH_LIMIT,
  boundLabelValue,
  wellFormed,
  type OverflowSplit,
  type SeriesTableLimits,
} from './series-table.js';
import {
  SelfCounterFamily,
  SelfGaugeFamily,
  SelfGaugeGroup,
  selfLabelValueLengthLimit,
  type SelfCounter,
  type SelfGaugeGroupFamily,
  type SelfGaugeSample,
  type SelfGaugeSource,
  type SelfLabelLimits,
} from './self-metrics.js';

export interface MetricsOptions {
  /** Default: OTEL_METRICS_EXEMPLAR_FILTER, else trace_based (only inside a sampled span). */
  readonly exemplarFilter?: ExemplarFilter;
  /**
   * Asked before a span's measurement takes an exemplar slot, so the tail sampler keeps the
   * trace it points to; returning false (that trace was already dropped, or exemplars have kept
   * their share of traces) skips the exemplar and the slot keeps the one it had. Not asked again
   * while the slot holds that span: its newer measurements replace the value only. `span` is the
   * span the exemplar points at (from the context passed to record/add, else the active one);
   * `slotAgeMs` how old the replaced exemplar is, in ms (Infinity for an empty slot).
   */
  readonly onExemplar?: ExemplarHook;
  /** Called after every valid measurement is aggregated, by instrument name (e.g. the SLO calculator). */
  readonly listeners?: {
    readonly histograms?: Readonly<Record<string, readonly MeasurementListener[]>>;
    readonly counters?: Readonly<Record<string, readonly MeasurementListener[]>>;
  };
  /** Wall clock in ms since the epoch (tests). */
  readonly now?: () => number;
  /**
   * Most UTF-8 bytes of one attribute value on a series (a label value). A longer value is cut
   * when its series is looked up, and the series keeps the cut form; each cut is counted in
   * plumbline_metrics_dropped_total{reason="label_value_truncated"}. Default 2048 (Cortex and
   * Mimir's max_label_value_length); keep it under a scrape config's label_value_length_limit.
   */
  readonly labelValueLengthLimit?: number;
}

/** createMetrics' options checked at setup: each problem names its option. */
export class MetricsOptionsError extends IssueListError {
  constructor(issues: readonly { path: string; message: string }[]) {
    super('invalid createMetrics options', issues);
  }
}

/** One series of a histogram, in the shape `histogramQuantile` takes. */
export interface HistogramSeriesSnapshot {
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The `le` values, +Inf last. */
  readonly upperBounds: readonly number[];
  readonly cumulativeCounts: readonly number[];
  readonly count: number;
  readonly sum: number;
}

export interface Exposed {
  readonly contentType: string;
  readonly body: string;
}

export interface Metrics<S extends TelemetrySpec = TelemetrySpec> {
  histogram(name: HistogramName<S>): HistogramHandle;
  counter(name: CounterName<S>): CounterHandle;
  gauge(name: GaugeName<S>): GaugeHandle;
  /** A counter of the SDK itself, named verbatim (e.g. plumbline_log_schema_violations_total). */
  selfCounter(name: string, help: string, labelNames: readonly string[]): SelfCounter;
  /**
   * Values read from `collect` at every scrape and export: a gauge, or (type 'counter') a
   * cumulative count its owner keeps, such as the tail sampler's decisions.
   */
  selfGauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => readonly SelfGaugeSample[],
    type?: 'gauge' | 'counter',
  ): void;
  /**
   * Self gauge families drawn from one costly read of their owner (a sampler's stats, an SLO
   * status): each scrape (either format) and each export calls `read` once and hands its result
   * to every family's `samples`, so the families of one scrape or export come from one read. A
   * `read` that throws leaves the group's families out of that scrape or export. A name registered
   * earlier leaves its earlier family.
   */
  selfGaugeGroup<T>(
    read: () => T,
    families: readonly {
      readonly name: string;
      readonly help: string;
      readonly labelNames: readonly string[];
      readonly samples: (snapshot: T) => readonly SelfGaugeSample[];
      /** 'counter': a cumulative count its owner keeps. Default 'gauge'. */
      readonly type?: 'gauge' | 'counter';
    }[],
  ): void;
  /** The exposition for an HTTP Accept header: Prometheus text 0.0.4 unless OpenMetrics is preferred. */
  serialize(accept?: string): Exposed;
  /** For an sdk-metrics MetricReader's `metricProducers` option. */
  readonly producer: MetricProducer;
  readonly exemplarFilter: ExemplarFilter;
  /** Every series of a histogram (the overflow series last), for quantiles and summaries. */
  histogramSnapshot(name: HistogramName<S>): HistogramSeriesSnapshot[];
}

export const DROPPED_MEASUREMENTS = sdkSeries.metricsDropped;
export const OVERFLOW_MEASUREMENTS = sdkSeries.metricsOverflow;
export const UNDECLARED_ATTRIBUTES = sdkSeries.metricsUndeclaredAttributes;
export const DROPPED_EXEMPLAR_ATTRIBUTES = sdkSeries.exemplarAttributesDropped;
/** The `reason` in DROPPED_MEASUREMENTS of a label value cut to labelValueLengthLimit (the measurement is kept). */
export const LABEL_VALUE_TRUNCATED = 'label_value_truncated';
/**
 * The `reason` in DROPPED_MEASUREMENTS of an attribute value that is an object (or a list holding
 * one), which OTel allows no attribute to be: the measurement is kept, under the object's JSON text.
 */
export const LABEL_VALUE_NOT_PRIMITIVE = 'label_value_not_primitive';
/**
 * The `reason` in DROPPED_MEASUREMENTS of an overflowed measurement that lost the attributes its
 * SLIs read: the overflow series that keep them were at their bound (the measurement is kept, in
 * the plain overflow series).
 */
export const OVERFLOW_SLO_ATTRIBUTES_FOLDED = 'overflow_slo_attributes_folded';

const NOOP_LISTENERS: readonly MeasurementListener[] = [];

/** Unknown instrument names whose handles are kept for the next call of the same name. */
const UNKNOWN_NAMES_KEPT = 256;
/** The longest unknown name (UTF-16 code units) kept: 256 of them are at most 2 MB. */
const UNKNOWN_NAME_KEPT_LENGTH = 4096;

/**
 * Builds the spec's instruments from its model (resolveSpec): a spec not checked yet is checked
 * there, and a wrong one throws SpecError at setup.
 */
export function createMetrics<const S extends TelemetrySpec>(
  spec: S,
  options: MetricsOptions = {},
): Metrics<S> {
  const model = resolveSpec(spec);
  const labelValueLengthLimit = checkLabelValueLengthLimit(options.labelValueLengthLimit, model.slos);
  const now = options.now ?? Date.now;
  const startMs = now();
  const exemplarFilter = resolveExemplarFilter(options.exemplarFilter);
  const exemplars: ExemplarSettings | undefined =
    exemplarFilter === 'always_off'
      ? undefined
      : { requireSampledSpan: exemplarFilter === 'trace_based', now, onExemplar: options.onExemplar };

  const selfCounters: SelfCounterFamily[] = [];
  const selfGauges: SelfGaugeSource[] = [];
  /** A self gauge read on its own: its read is its family's. */
  const ownRead = (): undefined => undefined;
  const single = (family: SelfGaugeFamily<unknown>) => new SelfGaugeGroup<unknown>(ownRead, [family]);
  // The self-metrics' own label values (an unknown instrument name the app passes) are cut like
  // the instruments', each cut counted under the self metric's name.
  const selfValueLimit = selfLabelValueLengthLimit(labelValueLengthLimit, spec);
  const selfLimits = (family: string): SelfLabelLimits => {
    const labels = { metric: family, reason: LABEL_VALUE_TRUNCATED };
    return {
      labelValueLengthLimit: selfValueLimit,
      onValuesTruncated: (count) => dropped.add(count, labels),
    };
  };
  const unknownNameTruncated = { metric: DROPPED_MEASUREMENTS, reason: LABEL_VALUE_TRUNCATED };
  const dropped: SelfCounterFamily = new SelfCounterFamily(
    DROPPED_MEASUREMENTS,
    'Measurements ignored: unknown instrument name, invalid value, or attributes that could not be read; and label values cut to the length limit (reason label_value_truncated: the measurement is kept, under the cut value), and attribute values that are objects, no OTel attribute value (reason label_value_not_primitive: the measurement is kept, under the object as JSON text); and overflowed measurements that lost the attributes their SLOs read (reason overflow_slo_attributes_folded: kept in the plain overflow series).',
    ['metric', 'reason'],
    selfLimits(DROPPED_MEASUREMENTS),
  );
  const droppedExemplarAttributes = new SelfCounterFamily(
    DROPPED_EXEMPLAR_ATTRIBUTES,
    'Filtered exemplar attributes left out of an OpenMetrics scrape or an OTLP export: past the 128-code-point exemplar label limit, named like another exemplar label (trace_id, span_id, or an attribute that sanitizes to the same label), with an empty name or a value holding a NUL (Prometheus refuses the whole OpenMetrics scrape for either), or with a value that is no attribute value or cannot be read.',
    ['metric'],
    selfLimits(DROPPED_EXEMPLAR_ATTRIBUTES),
  );
  selfCounters.push(dropped, droppedExemplarAttributes);

  const invalid = (metric: string): OnInvalid => {
    const labels = { metric, reason: 'invalid_value' };
    const unreadable = { metric, reason: UNREADABLE_ATTRIBUTES };
    return (reason) => dropped.add(1, reason === UNREADABLE_ATTRIBUTES ? unreadable : labels);
  };
  const splits = overflowSplits(model.slos);
  const limits = (metric: string, split?: Omit<OverflowSplit, 'onFolded'>): SeriesTableLimits => {
    const labels = { metric, reason: LABEL_VALUE_TRUNCATED };
    const folded = { metric, reason: OVERFLOW_SLO_ATTRIBUTES_FOLDED };
    const objects = { metric, reason: LABEL_VALUE_NOT_PRIMITIVE };
    return {
      labelValueLengthLimit,
      onValuesTruncated: (count) => dropped.add(count, labels),
      onValuesNotPrimitive: (count) => dropped.add(count, objects),
      overflowSplit: split && { ...split, onFolded: (count) => dropped.add(count, folded) },
    };
  };
  const histograms = Object.values(model.histograms).map(
    ({ name, spec: histogramSpec, boundaries }) =>
      new HistogramInstrument({
        name,
        spec: histogramSpec,
        boundaries,
        exemplars: histogramSpec.exemplars?.enabled === false ? undefined : exemplars,
        listeners: options.listeners?.histograms?.[name] ?? NOOP_LISTENERS,
        onInvalid: invalid(name),
        now,
        limits: limits(name, splits.histograms.get(name)),
      }),
  );
  const counters = Object.values(model.counters).map(
    ({ name, spec: counterSpec }) =>
      new CounterInstrument({
        name,
        spec: counterSpec,
        exemplars: counterSpec.exemplars?.enabled === false ? undefined : exemplars,
        listeners: options.listeners?.counters?.[name] ?? NOOP_LISTENERS,
        onInvalid: invalid(name),
        now,
        limits: limits(name, splits.counters.get(name)),
      }),
  );
  const gauges = Object.values(model.gauges).map(
    ({ name, spec: gaugeSpec }) => new GaugeInstrument(name, gaugeSpec, invalid(name), now, limits(name)),
  );

  const instruments = [...histograms, ...counters, ...gauges];
  selfGauges.push(
    single(
      new SelfGaugeFamily(
        OVERFLOW_MEASUREMENTS,
        'Measurements recorded into the otel.metric.overflow="true" series after an instrument reached its cardinality limit.',
        ['metric'],
        // Every instrument's series from the start, at 0: an overflow right after a deploy shows in
        // rate(), and the dashboard panel reads 0 rather than "No data" (regression:
        // overflow-series-absent-until-first-overflow.test.ts).
        () =>
          instruments.map((instrument) => ({
            labels: { metric: instrument.name },
            value: instrument.table.overflowMeasurements,
          })),
        'counter',
        selfValueLimit,
      ),
    ),
    single(
      new SelfGaugeFamily(
        UNDECLARED_ATTRIBUTES,
        'Series created by a measurement that carried an attribute the instrument does not declare: such an attribute is no label (kept on exemplars only). Declare it in the spec, or fix its name.',
        ['metric', 'attribute'],
        () =>
          instruments.flatMap((instrument) =>
            [...instrument.table.undeclared].map(([attribute, value]) => ({
              labels: { metric: instrument.name, attribute },
              value,
            })),
          ),
        'counter',
        selfValueLimit,
      ),
    ),
  );
  // A self gauge family's name registered again: the earlier family leaves (replaced in place by
  // selfGauge, dropped by selfGaugeGroup, which registers its families together at the end).
  const findSelfGauge = (name: string): { at: number; index: number } | undefined => {
    for (let at = 0; at < selfGauges.length; at++) {
      const index = selfGauges[at]!.indexOf(name);
      if (index >= 0) return { at, index };
    }
    return undefined;
  };

  const registry: MetricRegistry = {
    histograms,
    counters,
    gauges,
    selfCounters,
    selfGauges,
    onExemplarAttributesDropped: (metric, count) => droppedExemplarAttributes.add(count, { metric }),
  };
  const exposition = new Exposition(registry);
  const byName = <T extends { name: string }>(list: readonly T[]) =>
    new Map(list.map((item) => [item.name, item]));
  const histogramsByName = byName(histograms);
  const countersByName = byName(counters);
  const gaugesByName = byName(gauges);

  // Unknown names get a handle that counts each measurement and ignores it: never a throw. The
  // name is cut to the label bound once, here, and each call counts its cut as the family would:
  // handed the whole name, the family built and looked up a key of its length on every call (a
  // 1 MB name cost O(1 MB) per call; regression: unknown-instrument-name-cut-on-every-call).
  // Each call adds through bound series: the 2 KB label value of a 2 KB name was joined into a
  // key and hashed on every call (regression: unknown-instrument-name-costs-a-label-join-per-call).
  const countTruncatedName = dropped.bind(unknownNameTruncated);
  const makeUnknown = (name: string): (() => void) => {
    const cut = boundLabelValue(name, selfValueLimit);
    const count = dropped.bind({ metric: cut ?? wellFormed(name), reason: 'unknown_instrument' });
    if (cut === undefined) return () => count(1);
    return () => {
      count(1);
      countTruncatedName(1);
    };
  };
  // The handles of the names asked for again (an app that calls counter(name) per request): kept
  // for the first UNKNOWN_NAMES_KEPT names of at most UNKNOWN_NAME_KEPT_LENGTH characters (at
  // most 2 MB of names held); any other name gets a new handle each time, as before.
  const unknownByName = new Map<string, () => void>();
  const unknown = (name: string): (() => void) => {
    let count = unknownByName.get(name);
    if (count !== undefined) return count;
    count = makeUnknown(name);
    if (unknownByName.size < UNKNOWN_NAMES_KEPT && name.length <= UNKNOWN_NAME_KEPT_LENGTH)
      unknownByName.set(name, count);
    return count;
  };

  return {
    exemplarFilter,
    producer: new PlumblineMetricProducer(registry, spec.service, now, startMs),
    histogram(name) {
      const found = histogramsByName.get(name);
      if (found !== undefined) return found;
      const count = unknown(String(name));
      return { record: count, bind: () => ({ record: count }) };
    },
    counter(name) {
      const found = countersByName.get(name);
      if (found !== undefined) return found;
      const count = unknown(String(name));
      return { add: count, bind: () => ({ add: count }) };
    },
    gauge(name) {
      const found = gaugesByName.get(name);
      if (found !== undefined) return found;
      return { set: unknown(String(name)) };
    },
    selfCounter(name, help, labelNames) {
      const existing = selfCounters.find((family) => family.name === name);
      if (existing !== undefined) return existing;
      const family = new SelfCounterFamily(name, help, labelNames, selfLimits(name));
      selfCounters.push(family);
      return family;
    },
    selfGauge(name, help, labelNames, collect, type = 'gauge') {
      const family = new SelfGaugeFamily<unknown>(
        name,
        help,
        labelNames,
        () => collect(),
        type,
        selfValueLimit,
      );
      const found = findSelfGauge(name);
      if (found === undefined) selfGauges.push(single(family));
      else if (selfGauges[found.at]!.families.length === 1) selfGauges[found.at] = single(family);
      else selfGauges[found.at]!.replace(found.index, family);
    },
    selfGaugeGroup<T>(read: () => T, families: readonly SelfGaugeGroupFamily<T>[]) {
      // One family per name, the last given of a name.
      const byName = new Map<string, SelfGaugeFamily<T>>();
      for (const family of families)
        byName.set(
          family.name,
          new SelfGaugeFamily(
            family.name,
            family.help,
            family.labelNames,
            family.samples,
            family.type ?? 'gauge',
            selfValueLimit,
          ),
        );
      for (const name of byName.keys()) {
        const found = findSelfGauge(name);
        if (found === undefined) continue;
        if (selfGauges[found.at]!.families.length === 1) selfGauges.splice(found.at, 1);
        else selfGauges[found.at]!.remove(found.index);
      }
      if (byName.size > 0) selfGauges.push(new SelfGaugeGroup(read, [...byName.values()]));
    },
    serialize(accept) {
      const format = negotiateFormat(accept);
      return { contentType: contentTypeOf(format), body: exposition.write(format) };
    },
    histogramSnapshot(name) {
      const histogram = histogramsByName.get(name);
      if (histogram === undefined) return [];
      const upperBounds = [...histogram.boundaries, Infinity];
      const all = histogram.table.withOverflow;
      return all.map((series) => {
        let cumulative = 0;
        return {
          attributes: series.identity.attributes,
          upperBounds,
          cumulativeCounts: Array.from(series.counts, (count) => (cumulative += count)),
          count: series.count,
          sum: series.sum,
        };
      });
    },
  };
}

/**
 * labelValueLengthLimit: a whole number of bytes, at least 1, no shorter than any SLI match value
 * (its series' label would be cut and the rules never match it); the default without one.
 */
function checkLabelValueLengthLimit(limit: unknown, slos: readonly SloModel[]): number {
  if (limit === undefined) return DEFAULT_LABEL_VALUE_LENGTH_LIMIT;
  if (typeof limit === 'number' && Number.isSafeInteger(limit) && limit >= 1) {
    const long = matchValuesLongerThan(slos, limit);
    if (long.length === 0) return limit;
    throw new MetricsOptionsError(long.map((value) => longMatchIssue(limit, value)));
  }
  throw new MetricsOptionsError([
    {
      path: 'labelValueLengthLimit',
      message: `expected a whole number of bytes, at least 1 (default ${DEFAULT_LABEL_VALUE_LENGTH_LIMIT}); got ${
        typeof limit === 'number' ? String(limit) : typeof limit
      }`,
    },
  ]);
}

// A spec-declared explicit-bucket histogram: its series (counts, sum, min, max and, when
// exemplars are on, one preallocated exemplar slot per bucket) and the handles users record on.
import type { Attributes, Context } from '@opentelemetry/api';
import type { HistogramSpec } from '../spec/types.js';
import { findBucket } from './bucket-index.js';
import { ExemplarReservoir, type ExemplarPlan, type ExemplarSettings } from './exemplar-reservoir.js';
import { SeriesTable, type SeriesIdentity, type SeriesTableLimits } from './series-table.js';

export type MeasurementListener = (value: number, attributes: Attributes) => void;

export interface HistogramHandle {
  /**
   * `context` (as in OTel's Histogram.record) is where the exemplar's span is read from; without
   * it, the active context. Passing the request's context spares a `context.with` around the call.
   */
  record(value: number, attributes?: Attributes, context?: Context): void;
  /** Resolves the series once; `record` on the result skips the attribute lookup. */
  bind(attributes: Attributes): BoundHistogram;
}

export interface BoundHistogram {
  record(value: number, context?: Context): void;
}

const EMPTY: Attributes = Object.freeze({});

export class HistogramSeries {
  /** Per-bucket (not cumulative) counts; the last one is the +Inf bucket. */
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(
    readonly identity: SeriesIdentity,
    readonly boundaries: Float64Array,
    readonly exemplars: ExemplarReservoir | undefined,
  ) {
    this.counts = new Float64Array(boundaries.length + 1);
  }

  /** `attributesKept`: see ExemplarReservoir.offer. */
  record(
    value: number,
    _attributes: Attributes | undefined,
    _context?: Context,
    _attributesKept?: boolean,
  ): void {
    this.counts[findBucket(this.boundaries, value)]++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

// A class of its own rather than a flag, so a histogram with exemplars off runs code that has
// no exemplar branch at all.
class ExemplarHistogramSeries extends HistogramSeries {
  constructor(
    identity: SeriesIdentity,
    boundaries: Float64Array,
    private readonly reservoir: ExemplarReservoir,
  ) {
    super(identity, boundaries, reservoir);
  }

  override record(
    value: number,
    attributes: Attributes | undefined,
    context?: Context,
    attributesKept?: boolean,
  ): void {
    const bucket = findBucket(this.boundaries, value);
    this.counts[bucket]++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.reservoir.offer(bucket, value, attributes, context, attributesKept);
  }
}

export interface HistogramSetup {
  readonly name: string;
  readonly spec: HistogramSpec;
  readonly boundaries: readonly number[];
  /** undefined: exemplars off for this histogram (filter always_off or the spec says so). */
  readonly exemplars: ExemplarSettings | undefined;
  readonly listeners: readonly MeasurementListener[];
  readonly onInvalid: OnInvalid;
  readonly now: () => number;
  readonly limits?: SeriesTableLimits;
}

export class HistogramInstrument implements HistogramHandle {
  readonly name: string;
  readonly spec: HistogramSpec;
  readonly boundaries: Float64Array;
  readonly table: SeriesTable<HistogramSeries>;
  readonly record: (value: number, attributes?: Attributes, context?: Context) => void;
  private readonly listeners: readonly MeasurementListener[];
  private readonly onInvalid: OnInvalid;

  constructor(setup: HistogramSetup) {
    this.name = setup.name;
    this.spec = setup.spec;
    this.listeners = setup.listeners;
    this.onInvalid = setup.onInvalid;
    const boundaries = Float64Array.from(setup.boundaries);
    this.boundaries = boundaries;
    const settings = setup.exemplars;
    const plan: ExemplarPlan = {
      firstBucket: firstExemplarBucket(boundaries, setup.spec.exemplars?.minValue),
      maxPerSecond: setup.spec.exemplars?.maxPerSecond ?? Infinity,
      rare: true,
      declared: setup.spec.attributes ?? [],
    };
    this.table = new SeriesTable<HistogramSeries>(
      setup.spec.attributes ?? [],
      setup.spec.cardinalityLimit ?? 2000,
      settings === undefined
        ? (identity) => new HistogramSeries(identity, boundaries, undefined)
        : (identity) =>
            new ExemplarHistogramSeries(
              identity,
              boundaries,
              new ExemplarReservoir(boundaries.length + 1, settings, plan),
            ),
      setup.now,
      setup.limits,
    );
    this.record = this.listeners.length === 0 ? this.recordOnly : this.recordAndNotify;
  }

  bind(attributes: Attributes): BoundHistogram {
    const series = this.table.seriesForBinding(attributes);
    if (series === undefined) {
      const onInvalid = this.onInvalid;
      return { record: () => onInvalid(UNREADABLE_ATTRIBUTES) };
    }
    // Bound to the overflow series: go through lookup each time so every measurement is counted.
    if (this.table.isOverflow(series))
      return { record: (value, context) => this.record(value, attributes, context) };
    return this.listeners.length === 0
      ? new BoundSeries(series, attributes, this.onInvalid)
      : new NotifyingBoundSeries(series, attributes, this.onInvalid, this.listeners);
  }

  private recordOnly(value: number, attributes?: Attributes, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    const series = this.table.lookupReadable(attributes);
    if (series === undefined) return this.onInvalid(UNREADABLE_ATTRIBUTES);
    series.record(value, attributes, context);
  }

  private recordAndNotify(value: number, attributes?: Attributes, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    const series = this.table.lookupReadable(attributes);
    if (series === undefined) return this.onInvalid(UNREADABLE_ATTRIBUTES);
    series.record(value, attributes, context);
    notify(this.listeners, value, attributes ?? EMPTY);
  }
}

// A bound handle's attributes are fixed: what its exemplars keep of them is copied once, here.
class BoundSeries implements BoundHistogram {
  private readonly kept: Attributes | undefined;

  constructor(
    private readonly series: HistogramSeries,
    attributes: Attributes,
    private readonly onInvalid: () => void,
  ) {
    this.kept = series.exemplars?.keep(attributes);
  }

  record(value: number, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    this.series.record(value, this.kept, context, true);
  }
}

class NotifyingBoundSeries implements BoundHistogram {
  private readonly kept: Attributes | undefined;

  constructor(
    private readonly series: HistogramSeries,
    private readonly attributes: Attributes,
    private readonly onInvalid: () => void,
    private readonly listeners: readonly MeasurementListener[],
  ) {
    this.kept = series.exemplars?.keep(attributes);
  }

  record(value: number, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    this.series.record(value, this.kept, context, true);
    notify(this.listeners, value, this.attributes);
  }
}

/**
 * Counts a measurement that was ignored: an invalid value (no reason given), or attributes that
 * could not be read (a getter or a Proxy that throws), which never throw into the app.
 */
export type OnInvalid = (reason?: typeof UNREADABLE_ATTRIBUTES) => void;

/** The `reason` of a measurement whose attributes could not be read. */
export const UNREADABLE_ATTRIBUTES = 'unreadable_attributes';

/** Histograms and counters take finite values >= 0 (OTel drops negative histogram values too). */
export function isValidMeasurement(value: number): boolean {
  return typeof value === 'number' && value >= 0 && value < Infinity;
}

/** Calls each listener; one that throws is not the host app's problem, nor the other listeners'. */
export function notify(
  listeners: readonly MeasurementListener[],
  value: number,
  attributes: Attributes,
): void {
  for (let i = 0; i < listeners.length; i++) {
    try {
      listeners[i]!(value, attributes);
    } catch {
      // A failing listener must not break recording; it is the listener's to report.
    }
  }
}

/** The first bucket allowed to keep exemplars: its upper bound is above `minValue` (+Inf always is). */
function firstExemplarBucket(boundaries: Float64Array, minValue: number | undefined): number {
  if (minValue === undefined) return 0;
  let index = 0;
  while (index < boundaries.length && boundaries[index]! <= minValue) index++;
  return index;
}

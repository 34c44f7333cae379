// A spec-declared monotonic counter: one value per series and, when exemplars are on, one
// exemplar slot (OpenMetrics allows an exemplar on the `_total` line).
import type { Attributes, Context } from '@opentelemetry/api';
import type { CounterSpec } from '../spec/types.js';
import { ExemplarReservoir, type ExemplarPlan, type ExemplarSettings } from './exemplar-reservoir.js';
import {
  isValidMeasurement,
  notify,
  UNREADABLE_ATTRIBUTES,
  type MeasurementListener,
  type OnInvalid,
} from './histogram.js';
import { SeriesTable, type SeriesIdentity, type SeriesTableLimits } from './series-table.js';

export interface CounterHandle {
  /** `context`: where the exemplar's span is read from (as in OTel's Counter.add); default the active one. */
  add(value: number, attributes?: Attributes, context?: Context): void;
  bind(attributes: Attributes): BoundCounter;
}

export interface BoundCounter {
  add(value: number, context?: Context): void;
}

const EMPTY: Attributes = Object.freeze({});

export class CounterSeries {
  value = 0;
  constructor(
    readonly identity: SeriesIdentity,
    readonly exemplars: ExemplarReservoir | undefined,
  ) {}

  /** `attributesKept`: see ExemplarReservoir.offer. */
  add(
    value: number,
    _attributes: Attributes | undefined,
    _context?: Context,
    _attributesKept?: boolean,
  ): void {
    this.value += value;
  }
}

class ExemplarCounterSeries extends CounterSeries {
  constructor(
    identity: SeriesIdentity,
    private readonly reservoir: ExemplarReservoir,
  ) {
    super(identity, reservoir);
  }

  override add(
    value: number,
    attributes: Attributes | undefined,
    context?: Context,
    attributesKept?: boolean,
  ): void {
    this.value += value;
    this.reservoir.offer(0, value, attributes, context, attributesKept);
  }
}

export interface CounterSetup {
  readonly name: string;
  readonly spec: CounterSpec;
  readonly exemplars: ExemplarSettings | undefined;
  readonly listeners: readonly MeasurementListener[];
  readonly onInvalid: OnInvalid;
  readonly now: () => number;
  readonly limits?: SeriesTableLimits;
}

export class CounterInstrument implements CounterHandle {
  readonly name: string;
  readonly spec: CounterSpec;
  readonly table: SeriesTable<CounterSeries>;
  readonly add: (value: number, attributes?: Attributes, context?: Context) => void;
  private readonly listeners: readonly MeasurementListener[];
  private readonly onInvalid: OnInvalid;

  constructor(setup: CounterSetup) {
    this.name = setup.name;
    this.spec = setup.spec;
    this.listeners = setup.listeners;
    this.onInvalid = setup.onInvalid;
    const settings = setup.exemplars;
    // A counter's one slot per series: never rare (ExemplarPlan.rare).
    const plan: ExemplarPlan = {
      firstBucket: 0,
      maxPerSecond: Infinity,
      rare: false,
      declared: setup.spec.attributes ?? [],
    };
    this.table = new SeriesTable<CounterSeries>(
      setup.spec.attributes ?? [],
      setup.spec.cardinalityLimit ?? 2000,
      settings === undefined
        ? (identity) => new CounterSeries(identity, undefined)
        : (identity) => new ExemplarCounterSeries(identity, new ExemplarReservoir(1, settings, plan)),
      setup.now,
      setup.limits,
    );
    this.add = this.listeners.length === 0 ? this.addOnly : this.addAndNotify;
  }

  bind(attributes: Attributes): BoundCounter {
    const series = this.table.seriesForBinding(attributes);
    if (series === undefined) {
      const onInvalid = this.onInvalid;
      return { add: () => onInvalid(UNREADABLE_ATTRIBUTES) };
    }
    if (this.table.isOverflow(series))
      return { add: (value, context) => this.add(value, attributes, context) };
    const { listeners, onInvalid } = this;
    // The attributes are fixed: what exemplars keep of them is copied once, at binding.
    const kept = series.exemplars?.keep(attributes);
    if (listeners.length === 0) {
      return {
        add(value: number, context?: Context) {
          if (!isValidMeasurement(value)) return onInvalid();
          series.add(value, kept, context, true);
        },
      };
    }
    return {
      add(value: number, context?: Context) {
        if (!isValidMeasurement(value)) return onInvalid();
        series.add(value, kept, context, true);
        notify(listeners, value, attributes);
      },
    };
  }

  private addOnly(value: number, attributes?: Attributes, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    const series = this.table.lookupReadable(attributes);
    if (series === undefined) return this.onInvalid(UNREADABLE_ATTRIBUTES);
    series.add(value, attributes, context);
  }

  private addAndNotify(value: number, attributes?: Attributes, context?: Context): void {
    if (!isValidMeasurement(value)) return this.onInvalid();
    const series = this.table.lookupReadable(attributes);
    if (series === undefined) return this.onInvalid(UNREADABLE_ATTRIBUTES);
    series.add(value, attributes, context);
    notify(this.listeners, value, attributes ?? EMPTY);
  }
}

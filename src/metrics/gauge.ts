// A spec-declared gauge: the last value set per series.
import type { Attributes } from '@opentelemetry/api';
import type { GaugeSpec } from '../spec/types.js';
import { UNREADABLE_ATTRIBUTES, type OnInvalid } from './histogram.js';
import { SeriesTable, type SeriesIdentity, type SeriesTableLimits } from './series-table.js';

export interface GaugeHandle {
  set(value: number, attributes?: Attributes): void;
}

export class GaugeSeries {
  value = 0;
  constructor(readonly identity: SeriesIdentity) {}
}

export class GaugeInstrument implements GaugeHandle {
  readonly table: SeriesTable<GaugeSeries>;

  constructor(
    readonly name: string,
    readonly spec: GaugeSpec,
    private readonly onInvalid: OnInvalid,
    now: () => number,
    limits?: SeriesTableLimits,
  ) {
    this.table = new SeriesTable<GaugeSeries>(
      spec.attributes ?? [],
      spec.cardinalityLimit ?? 2000,
      (identity) => new GaugeSeries(identity),
      now,
      limits,
    );
  }

  set(value: number, attributes?: Attributes): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return this.onInvalid();
    const series = this.table.lookupReadable(attributes);
    if (series === undefined) return this.onInvalid(UNREADABLE_ATTRIBUTES);
    series.value = value;
  }
}

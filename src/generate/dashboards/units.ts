// UCUM units from the spec mapped to Grafana unit ids (the ids dashboard-linter's
// panel-units-rule accepts), for values and for per-second rates of them. The tables are Maps:
// the spec takes any string as a unit, and a plain object answered `constructor` or `toString`
// with a function (regression: dashboard-unit-named-like-an-object-property).
import type { GaugeAcrossInstances } from '../../spec/types.js';

const VALUE_UNITS: ReadonlyMap<string, string> = new Map([
  ['s', 's'],
  ['ms', 'ms'],
  ['us', 'µs'],
  ['ns', 'ns'],
  ['min', 'm'],
  ['h', 'h'],
  ['d', 'd'],
  ['By', 'bytes'],
  ['KiBy', 'kbytes'],
  ['MiBy', 'mbytes'],
  ['%', 'percent'],
  // OTel semantic conventions: utilization metrics, a fraction of a total, are dimensionless and
  // use the unit `1`; integer counts use an annotation ({request}) without it. So `1` is a ratio
  // from 0 to 1, which Grafana shows as a percentage (regression: dashboard-ratio-gauge-shown-as-short).
  ['1', 'percentunit'],
]);

/** The Grafana unit of a value in this UCUM unit; counts and annotations ({event}) are 'short'. */
export function grafanaUnit(unit: string | undefined): string {
  return (unit === undefined ? undefined : VALUE_UNITS.get(unit)) ?? 'short';
}

/** How a gauge panel brings the instances' series of one gauge to one value per split. */
export interface GaugeAggregation {
  readonly operator: GaugeAcrossInstances;
  /** The legend of an unsplit panel. */
  readonly legend: string;
  /** The panel description's sentence on it. */
  readonly reading: string;
}

const SUMMED: GaugeAggregation = { operator: 'sum', legend: 'all', reading: 'Summed over instances' };

/**
 * A ratio (`1`, `%`: a utilization, a hit ratio, a keep probability) is a share of each
 * instance's own total: summed, two instances at 60% read 120%, so the panel averages them
 * (the fleet's share when the instances weigh alike). A time (a lag, the age of the oldest item,
 * an event-loop delay percentile as nodejs.eventloop.delay.p99 reports it) is a reading of one
 * instance: summed, two instances 50 ms behind read 100 ms, a delay none of them had, so the
 * panel shows the slowest instance. Counts and sizes (annotations, bytes) add up across
 * instances and stay summed, as does a unit the generator does not know.
 */
const AVERAGED: GaugeAggregation = {
  operator: 'avg',
  legend: 'average',
  reading: "Averaged over instances (each is a share of the instance's own total; shares do not add up)",
};
const HIGHEST: GaugeAggregation = {
  operator: 'max',
  legend: 'highest',
  reading: 'The highest instance (each is a time one instance reads; times do not add up)',
};
const GAUGE_AGGREGATIONS: ReadonlyMap<string, GaugeAggregation> = new Map([
  ['1', AVERAGED],
  ['%', AVERAGED],
  ...['s', 'ms', 'us', 'ns', 'min', 'h', 'd'].map((unit) => [unit, HIGHEST] as const),
]);

/** What the spec's `acrossInstances` asks for, as a panel says it. */
const CHOSEN: Readonly<Record<GaugeAcrossInstances, GaugeAggregation>> = {
  sum: SUMMED,
  avg: { operator: 'avg', legend: 'average', reading: 'Averaged over instances' },
  max: { operator: 'max', legend: 'highest', reading: 'The highest instance' },
  min: { operator: 'min', legend: 'lowest', reading: 'The lowest instance' },
};

/**
 * How a gauge is aggregated over instances: as its spec's `acrossInstances` says, else by its
 * UCUM unit (a unit such as `Cel` says nothing the generator knows: summed, unless the spec says).
 */
export function gaugeAggregation(
  unit: string | undefined,
  acrossInstances?: GaugeAcrossInstances,
): GaugeAggregation {
  if (acrossInstances !== undefined) return CHOSEN[acrossInstances];
  return (unit === undefined ? undefined : GAUGE_AGGREGATIONS.get(unit)) ?? SUMMED;
}

/**
 * A per-second rate of a counter as a panel shows it: the Grafana unit, and the PromQL arithmetic
 * that brings `rate()` to that unit ('' when none is needed).
 */
export interface RateDisplay {
  readonly unit: string;
  /** Appended to the summed rate, e.g. ' / 1000' for milliseconds per second as a fraction. */
  readonly scale: string;
  /** How the panel's description reads the value, where the unit alone does not say it. */
  readonly reading?: string;
}

const BYTE_RATE_UNITS: ReadonlyMap<string, string> = new Map([
  ['By', 'Bps'],
  ['KiBy', 'KiBs'],
  ['MiBy', 'MiBs'],
]);

/**
 * Time per second is a ratio (seconds of busy time per second of wall time): Grafana has no
 * "s/s", so the rate is brought to seconds per second and shown as a percentage (100% = one second
 * per second, above 100% when the counted time overlaps, as CPU time over several cores does).
 */
const TIME_RATE_SCALES: ReadonlyMap<string, string> = new Map([
  ['s', ''],
  ['ms', ' / 1000'],
  ['us', ' / 1000000'],
  ['ns', ' / 1000000000'],
  ['min', ' * 60'],
  ['h', ' * 3600'],
  ['d', ' * 86400'],
]);

/** How a panel shows the per-second rate of a counter in this UCUM unit. */
export function rateDisplay(unit: string | undefined): RateDisplay {
  if (unit !== undefined) {
    const bytes = BYTE_RATE_UNITS.get(unit);
    if (bytes !== undefined) return { unit: bytes, scale: '' };
    const scale = TIME_RATE_SCALES.get(unit);
    if (scale !== undefined) {
      return {
        unit: 'percentunit',
        scale,
        reading: 'time counted per second of wall time (100% = one second per second)',
      };
    }
  }
  return { unit: 'ops', scale: '' };
}

const SECONDS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['s', 1],
  ['ms', 1e-3],
  ['us', 1e-6],
  ['ns', 1e-9],
  ['min', 60],
  ['h', 3600],
]);

/** A duration in a time unit as whole milliseconds for TraceQL, or undefined for other units. */
export function durationMillis(value: number, unit: string): number | undefined {
  const factor = SECONDS_PER_UNIT.get(unit);
  return factor === undefined ? undefined : Math.round(value * factor * 1000 * 1000) / 1000;
}

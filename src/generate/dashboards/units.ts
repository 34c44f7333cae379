// UCUM units from the spec mapped to Grafana unit ids (the ids dashboard-linter's
// panel-units-rule accepts), for values and for per-second rates of them. The tables are Maps:
// the spec takes any string as a unit, and a plain object answered `constructor` or `toString`
// with a function (regression: dashboard-unit-named-like-an-object-property).

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

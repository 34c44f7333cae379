// UCUM units from the spec mapped to Grafana unit ids (the ids dashboard-linter's
// panel-units-rule accepts), for values and for per-second rates of them.

const VALUE_UNITS: Readonly<Record<string, string>> = {
  s: 's',
  ms: 'ms',
  us: 'µs',
  ns: 'ns',
  min: 'm',
  h: 'h',
  d: 'd',
  By: 'bytes',
  KiBy: 'kbytes',
  MiBy: 'mbytes',
  '%': 'percent',
};

/** The Grafana unit of a value in this UCUM unit; counts and annotations ({event}) are 'short'. */
export function grafanaUnit(unit: string | undefined): string {
  return unit === undefined ? 'short' : (VALUE_UNITS[unit] ?? 'short');
}

/** The Grafana unit of a per-second rate of a quantity in this UCUM unit. */
export function grafanaRateUnit(unit: string | undefined): string {
  if (unit === 'By') return 'Bps';
  if (unit === 'KiBy') return 'KiBs';
  if (unit === 'MiBy') return 'MiBs';
  return 'ops';
}

const SECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  s: 1,
  ms: 1e-3,
  us: 1e-6,
  ns: 1e-9,
  min: 60,
  h: 3600,
};

/** A duration in a time unit as whole milliseconds for TraceQL, or undefined for other units. */
export function durationMillis(value: number, unit: string): number | undefined {
  const factor = SECONDS_PER_UNIT[unit];
  return factor === undefined ? undefined : Math.round(value * factor * 1000 * 1000) / 1000;
}

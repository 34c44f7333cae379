// Prometheus durations ('5m', '1h', '3d') as used in SLO windows: parsed once at setup into
// milliseconds, and written back in the shortest unit so rule names stay stable.

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds of a single-unit Prometheus duration, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]*)(s|m|h|d|w)$/.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** The shortest single-unit spelling of a duration ('1d', not '24h'); whole seconds only. */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  throw new Error(`duration ${ms} ms is not a whole number of seconds`);
}

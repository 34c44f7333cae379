// Bucket plans: explicit boundaries, or boundaries derived from a range and the SLO latency
// thresholds that read this histogram, so every threshold is an exact `le` boundary. Resolved
// once per spec into its model (model.ts); the runtime, the rules and `check live` read it there.
import type { HistogramSpec, TelemetrySpec } from './types.js';

/** The SLO latency thresholds that read a histogram (in its unit). */
export function sloThresholdsFor(spec: TelemetrySpec, histogramName: string): number[] {
  const thresholds: number[] = [];
  for (const slo of Object.values(spec.slos ?? {})) {
    if (slo.sli.kind === 'latency' && slo.sli.histogram === histogramName) thresholds.push(slo.sli.threshold);
  }
  return thresholds;
}

/**
 * The sorted, distinct, finite upper boundaries of a histogram (+Inf is implicit), computed from
 * the spec as it is (the histogram check runs it before the spec is valid); a fresh array each call.
 */
export function resolveBoundaries(spec: TelemetrySpec, histogramName: string): number[] {
  const histogram: HistogramSpec | undefined = spec.histograms?.[histogramName];
  if (histogram === undefined) throw new Error(`no histogram named "${histogramName}" in the spec`);
  const plan = histogram.buckets;
  if ('boundaries' in plan) return normalise(plan.boundaries);
  const { min, max, perDecade = 4 } = plan.fromSlos;
  const boundaries: number[] = [];
  // Log-spaced from min to max, rounded to 2 significant digits so they read well in `le`. At
  // most MAX_DERIVED_BOUNDARIES steps, whatever the spec says (the histogram check refuses more).
  const steps = Math.min(MAX_DERIVED_BOUNDARIES, Math.max(1, derivedSteps(min, max, perDecade)));
  for (let i = 0; i <= steps; i++) {
    boundaries.push(Number((min * (max / min) ** (i / steps)).toPrecision(2)));
  }
  return normalise([...boundaries, ...sloThresholdsFor(spec, histogramName)]);
}

/**
 * The most boundaries a fromSlos plan may derive: 50 decades at the default 4 per decade. Every
 * boundary is a series per label set; a range of 1e-300 to 1e300 asked for 2,400 of them at 4 per
 * decade, and a ratio that overflows (1e-309 to 1) for infinitely many: the process aborted.
 */
export const MAX_DERIVED_BOUNDARIES = 200;

/** How many log-spaced steps a fromSlos plan takes (may be huge or NaN for a bad plan). */
export function derivedSteps(min: number, max: number, perDecade = 4): number {
  // Logs subtracted rather than of the ratio: max / min overflows to Infinity for tiny mins.
  return Math.round((Math.log10(max) - Math.log10(min)) * perDecade);
}

function normalise(values: readonly number[]): number[] {
  return [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
}

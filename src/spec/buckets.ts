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
  // Log-spaced from min to max, rounded to 2 significant digits so they read well in `le`.
  const steps = Math.max(1, Math.round(Math.log10(max / min) * perDecade));
  for (let i = 0; i <= steps; i++) {
    boundaries.push(Number((min * (max / min) ** (i / steps)).toPrecision(2)));
  }
  return normalise([...boundaries, ...sloThresholdsFor(spec, histogramName)]);
}

function normalise(values: readonly number[]): number[] {
  return [...new Set(values.filter((v) => Number.isFinite(v)))].sort((a, b) => a - b);
}

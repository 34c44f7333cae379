// Spec checks for metrics, run at setup by the spec validator: bucket plans that cannot work,
// SLO latency thresholds that are not exact boundaries (a ratio read from `le="0.25"` is empty
// when 0.25 is not a boundary), and cardinality caps below 1.
import { derivedSteps, MAX_DERIVED_BOUNDARIES, resolveBoundaries } from '../spec/buckets.js';
import { specPath, type SpecIssue } from '../spec/errors.js';
import { formatPrometheusFloat } from '../spec/naming.js';
import type { TelemetrySpec } from '../spec/types.js';

export function checkHistograms(spec: TelemetrySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const histograms = spec.histograms ?? {};
  const plansOk = new Set<string>();

  for (const [name, histogram] of Object.entries(histograms)) {
    const path = (...keys: readonly (string | number)[]) => specPath('histograms', name, ...keys);
    const before = issues.length;
    if (typeof histogram !== 'object' || histogram === null) continue; // the structure check names it
    const plan = histogram.buckets as unknown;
    if (typeof plan !== 'object' || plan === null) {
      issues.push({
        path: path('buckets'),
        message: 'expected { boundaries: number[] } or { fromSlos: { min, max, perDecade? } }',
      });
    } else if ('boundaries' in plan) {
      const boundaries = (plan as { boundaries: unknown }).boundaries;
      if (!Array.isArray(boundaries) || boundaries.length === 0) {
        issues.push({
          path: path('buckets', 'boundaries'),
          message: 'expected a non-empty array of finite numbers (the +Inf bucket is implicit)',
        });
      } else {
        boundaries.forEach((value: unknown, i) => {
          if (typeof value !== 'number' || !Number.isFinite(value)) {
            issues.push({
              path: path('buckets', 'boundaries', i),
              message: `expected a finite number, got ${String(value)} (the +Inf bucket is implicit)`,
            });
          } else if (
            i > 0 &&
            typeof boundaries[i - 1] === 'number' &&
            !(value > (boundaries[i - 1] as number))
          ) {
            issues.push({
              path: path('buckets', 'boundaries', i),
              message: `boundaries must be strictly increasing: ${value} follows ${String(boundaries[i - 1])}`,
            });
          }
        });
      }
    } else if ('fromSlos' in plan) {
      const { min, max, perDecade } =
        (plan as { fromSlos: { min: unknown; max: unknown; perDecade?: unknown } }).fromSlos ?? {};
      if (typeof min !== 'number' || !Number.isFinite(min) || min <= 0)
        issues.push({
          path: path('buckets', 'fromSlos', 'min'),
          message: `expected a finite number > 0, got ${String(min)}`,
        });
      if (typeof max !== 'number' || !Number.isFinite(max))
        issues.push({
          path: path('buckets', 'fromSlos', 'max'),
          message: `expected a finite number, got ${String(max)}`,
        });
      else if (typeof min === 'number' && !(max > min))
        issues.push({
          path: path('buckets', 'fromSlos', 'max'),
          message: `expected max > min (${String(min)}), got ${max}`,
        });
      if (
        perDecade !== undefined &&
        (typeof perDecade !== 'number' || !Number.isInteger(perDecade) || perDecade < 1)
      ) {
        issues.push({
          path: path('buckets', 'fromSlos', 'perDecade'),
          message: `expected an integer >= 1, got ${String(perDecade)}`,
        });
      } else if (typeof min === 'number' && typeof max === 'number' && min > 0 && max > min) {
        const steps = derivedSteps(min, max, perDecade);
        if (!(steps <= MAX_DERIVED_BOUNDARIES))
          issues.push({
            path: path('buckets', 'fromSlos'),
            message: `would derive ${String(steps + 1)} boundaries (${String(min)} to ${String(max)} at ${String(perDecade ?? 4)} per decade); at most ${MAX_DERIVED_BOUNDARIES + 1}: raise min, lower max or perDecade`,
          });
      }
    } else {
      issues.push({
        path: path('buckets'),
        message: 'expected { boundaries: number[] } or { fromSlos: { min, max, perDecade? } }',
      });
    }
    const exemplars = histogram.exemplars;
    if (exemplars?.minValue !== undefined && !Number.isFinite(exemplars.minValue)) {
      issues.push({
        path: path('exemplars', 'minValue'),
        message: `expected a finite number, got ${String(exemplars.minValue)}`,
      });
    }
    if (exemplars?.maxPerSecond !== undefined && !(exemplars.maxPerSecond > 0)) {
      issues.push({
        path: path('exemplars', 'maxPerSecond'),
        message: `expected a number > 0, got ${String(exemplars.maxPerSecond)}`,
      });
    }
    if (issues.length === before) plansOk.add(name);
  }

  for (const section of ['histograms', 'counters', 'gauges'] as const) {
    for (const [name, instrument] of Object.entries(spec[section] ?? {})) {
      const limit = (instrument as { cardinalityLimit?: number } | null)?.cardinalityLimit;
      if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
        issues.push({
          path: specPath(section, name, 'cardinalityLimit'),
          message: `expected an integer >= 1, got ${String(limit)}`,
        });
      }
    }
  }

  for (const [sloName, slo] of Object.entries(spec.slos ?? {})) {
    if (slo?.sli?.kind !== 'latency') continue;
    const { histogram, threshold } = slo.sli;
    // An unknown histogram is checkSlos' to report; only a known plan can be checked here.
    if (histograms[histogram] === undefined || !plansOk.has(histogram)) continue;
    const boundaries = resolveBoundaries(spec, histogram);
    if (typeof threshold !== 'number' || !boundaries.includes(threshold)) {
      issues.push({
        path: specPath('slos', sloName, 'sli', 'threshold'),
        message:
          `${String(threshold)} is not a bucket boundary of histogram "${histogram}", so le="${formatPrometheusFloat(Number(threshold))}" selects nothing; ` +
          `boundaries: ${boundaries.map(formatPrometheusFloat).join(', ')} (add it to the boundaries or use a fromSlos plan)`,
      });
    }
  }
  return issues;
}

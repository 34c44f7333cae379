// PromQL for an SLO's SLI, built from the exact series names the exposition writes
// (spec/naming.ts): counters as <name>_total, histograms as <base>_count and <base>_bucket{le},
// the pipeline SLI as the SDK's plumbline_telemetry_{exported,dropped}_total.
// The live evaluator and the generated recording rules both read the SLI through these.
import {
  formatPrometheusFloat,
  prometheusBaseName,
  prometheusCounterName,
  sdkSeries,
} from '../spec/naming.js';
import { labelMatcher, matchPairs, type LabelValues } from '../spec/promql.js';
import type { AttributeMatch, TelemetrySpec } from '../spec/types.js';
import type { SloModel } from './model.js';

/**
 * The series an SLI reads: all events, and the bad or the good ones or both. All events are one
 * series for an SLI on a spec metric, and the good plus the bad series for the pipeline SLI
 * (exported and dropped are two metrics; one `__name__=~` selector would not do: rate() drops
 * the name, and the two series of a signal would collide).
 */
export interface SliSeries {
  /** Metric names and label matchers whose sum is all events. */
  readonly total: readonly SeriesRef[];
  readonly bad?: SeriesRef;
  readonly good?: SeriesRef;
}

export interface SeriesRef {
  readonly metric: string;
  /** Label matchers in order: [label, values]; one value is `=`, several are `=~"a|b"`. */
  readonly matchers: readonly LabelValues[];
}

export function sliSeries(
  slo: SloModel,
  spec: Pick<TelemetrySpec, 'counters' | 'histograms'>,
  extra: AttributeMatch = {},
): SliSeries {
  checkSeriesMatchers(extra);
  const sli = slo.sli;
  if (sli.kind === 'availability') {
    const metric =
      sli.instrument === 'counter'
        ? prometheusCounterName(sli.metric, spec.counters![sli.metric]!.unit)
        : `${prometheusBaseName(sli.metric, spec.histograms![sli.metric]!.unit)}_count`;
    const total = { metric, matchers: [...matchPairs(extra), ...matchPairs(sli.where)] };
    return { total: [total], bad: { metric, matchers: [...total.matchers, ...matchPairs(sli.bad)] } };
  }
  if (sli.kind === 'pipeline') {
    // The SDK's self-metrics, named as /metrics writes them: exported items are good, dropped
    // ones (any reason) bad, all events the two together.
    const matchers = [...matchPairs(extra), ['signal', sli.signals] as const];
    const good = { metric: sdkSeries.telemetryExported, matchers };
    const bad = { metric: sdkSeries.telemetryDropped, matchers };
    return { total: [good, bad], good, bad };
  }
  const base = prometheusBaseName(sli.histogram, spec.histograms![sli.histogram]!.unit);
  const matchers = [...matchPairs(extra), ...matchPairs(sli.where)];
  return {
    total: [{ metric: `${base}_count`, matchers }],
    good: {
      metric: `${base}_bucket`,
      matchers: [...matchers, ['le', [formatPrometheusFloat(sli.threshold)]]],
    },
  };
}

/**
 * The extra label matchers (`seriesMatchers`) every reader of an SLI takes (rules, promtool
 * tests, live queries): label to a non-empty list of string values. Throws naming the label: an
 * empty list wrote `job=~""` (series without a job: the rules silently selected nothing, the
 * promtool files threw a TypeError), a string instead of a list threw "values.map is not a
 * function", and a reserved label (`__name__`) gave rules promtool refuses.
 */
export function checkSeriesMatchers(matchers: AttributeMatch): void {
  if (typeof matchers !== 'object' || matchers === null || Array.isArray(matchers))
    throw new TypeError(
      `seriesMatchers: expected an object of label -> values, e.g. { job: ['shop'] }, got ${JSON.stringify(matchers)}`,
    );
  for (const [label, values] of Object.entries(matchers)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(label) || label.startsWith('__'))
      throw new TypeError(
        `seriesMatchers: ${JSON.stringify(label)} is not a label name to match (letters, digits and _, not starting with a digit or __)`,
      );
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((value: unknown) => typeof value === 'string')
    )
      throw new TypeError(
        `seriesMatchers.${label}: expected a non-empty list of values (strings), e.g. ['shop'], got ${JSON.stringify(values)}`,
      );
  }
}

/** A series selector: metric{label="v",other=~"a|b"}. */
export function selector(series: SeriesRef): string {
  if (series.matchers.length === 0) return series.metric;
  return `${series.metric}{${series.matchers.map(([label, values]) => labelMatcher(label, values)).join(',')}}`;
}

/**
 * Error ratio over a window. A window without traffic reads 0, not NaN: the denominator is
 * clamped to the smallest positive float's neighbourhood (1e-300), which no real rate reaches,
 * and a missing bad series counts as 0.
 */
export function errorRatioExpr(series: SliSeries, window: string): string {
  const total = sumOver(series.total, 'rate', window);
  if (series.bad !== undefined) {
    return `(sum(rate(${selector(series.bad)}[${window}])) or vector(0)) / clamp_min(${total}, 1e-300)`;
  }
  return `(${total} - (sum(rate(${selector(series.good!)}[${window}])) or vector(0))) / clamp_min(${total}, 1e-300)`;
}

export function eventsExpr(series: SliSeries, window: string): string {
  return sumOver(series.total, 'increase', window);
}

/** Present while any series of all events exists: what the absent-data alert negates. */
export function totalPresentExpr(series: SliSeries): string {
  return series.total.map((ref) => `sum(${selector(ref)})`).join(' or ');
}

/** The selectors of all events, for the people reading an alert. */
export function totalSelectors(series: SliSeries): string[] {
  return series.total.map(selector);
}

/**
 * `sum(fn(a[w]))` over one series; over several, each sum defaulting to 0 when its series is
 * missing (a pipeline with no drop yet has no dropped series), added up.
 */
function sumOver(refs: readonly SeriesRef[], fn: 'rate' | 'increase', window: string): string {
  const sums = refs.map((ref) => `sum(${fn}(${selector(ref)}[${window}]))`);
  return sums.length === 1 ? sums[0]! : sums.map((sum) => `(${sum} or vector(0))`).join(' + ');
}

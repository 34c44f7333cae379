// PromQL for an SLO's SLI, built from the exact series names the exposition writes
// (spec/naming.ts): counters as <name>_total, histograms as <base>_count and <base>_bucket{le}.
// The live evaluator and the generated recording rules both read the SLI through these.
import { formatPrometheusFloat, prometheusBaseName, prometheusCounterName } from '../spec/naming.js';
import { labelMatcher, matchPairs, type LabelValues } from '../spec/promql.js';
import type { AttributeMatch, TelemetrySpec } from '../spec/types.js';
import type { SloModel } from './model.js';

/** The series an SLI reads: all events, and either the bad or the good ones. */
export interface SliSeries {
  /** Metric name and label matchers of all events. */
  readonly total: SeriesRef;
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
  const sli = slo.sli;
  if (sli.kind === 'availability') {
    const metric =
      sli.instrument === 'counter'
        ? prometheusCounterName(sli.metric, spec.counters![sli.metric]!.unit)
        : `${prometheusBaseName(sli.metric, spec.histograms![sli.metric]!.unit)}_count`;
    const total = { metric, matchers: [...matchPairs(extra), ...matchPairs(sli.where)] };
    return { total, bad: { metric, matchers: [...total.matchers, ...matchPairs(sli.bad)] } };
  }
  const base = prometheusBaseName(sli.histogram, spec.histograms![sli.histogram]!.unit);
  const matchers = [...matchPairs(extra), ...matchPairs(sli.where)];
  return {
    total: { metric: `${base}_count`, matchers },
    good: {
      metric: `${base}_bucket`,
      matchers: [...matchers, ['le', [formatPrometheusFloat(sli.threshold)]]],
    },
  };
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
  const total = `sum(rate(${selector(series.total)}[${window}]))`;
  if (series.bad !== undefined) {
    return `(sum(rate(${selector(series.bad)}[${window}])) or vector(0)) / clamp_min(${total}, 1e-300)`;
  }
  return `(${total} - (sum(rate(${selector(series.good!)}[${window}])) or vector(0))) / clamp_min(${total}, 1e-300)`;
}

export function eventsExpr(series: SliSeries, window: string): string {
  return `sum(increase(${selector(series.total)}[${window}]))`;
}

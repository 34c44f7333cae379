// Small PromQL spelling helpers for the dashboards: selectors scoped by the $job and $instance
// variables, rates over $__rate_interval, quantiles and ratios. Names come from spec/naming.

/** Label matchers that every dashboard selector carries (dashboard-linter target-job/instance rules). */
export const SCOPE_MATCHERS = 'job=~"$job", instance=~"$instance"';

/** A selector with the dashboard scope matchers first, then the given ones. */
export function scopedSelector(metric: string, matchers: readonly string[] = []): string {
  return `${metric}{${[SCOPE_MATCHERS, ...matchers].join(', ')}}`;
}

/** A selector without the scope matchers, for series that recording rules aggregate across jobs. */
export function plainSelector(metric: string, matchers: readonly string[] = []): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(', ')}}`;
}

/** `sum by (labels) (rate(selector[$__rate_interval]))`, or `sum(...)` without labels. */
export function sumRate(selector: string, by: readonly string[] = []): string {
  return `${sumBy(by)} (rate(${selector}[$__rate_interval]))`;
}

export function sumBy(by: readonly string[]): string {
  return by.length === 0 ? 'sum' : `sum by (${by.join(', ')})`;
}

/** `histogram_quantile(q, sum by (le, labels) (rate(bucket[$__rate_interval])))`. */
export function histogramQuantile(
  quantile: number,
  bucketSelector: string,
  by: readonly string[] = [],
): string {
  return `histogram_quantile(${quantile}, ${sumRate(bucketSelector, ['le', ...by])})`;
}

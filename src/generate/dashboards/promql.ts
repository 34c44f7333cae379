// Small PromQL spelling helpers for the dashboards: selectors scoped by the $job and $instance
// variables (the service) or $collector_job and $collector_instance (the collectors), rates over
// $__rate_interval, quantiles and ratios. Names come from spec/naming.

/** Label matchers that every dashboard selector carries (dashboard-linter target-job/instance rules). */
export const SCOPE_MATCHERS = 'job=~"$job", instance=~"$instance"';

/** The pipeline dashboard's variables for the collectors' own scrape jobs and targets. */
export const COLLECTOR_JOB_VARIABLE = 'collector_job';
export const COLLECTOR_INSTANCE_VARIABLE = 'collector_instance';

/**
 * Label matchers of the collectors' own metrics: their scrape job is not the service's, so
 * picking the service in $job must not empty the collector panels.
 */
export const COLLECTOR_SCOPE_MATCHERS = `job=~"$${COLLECTOR_JOB_VARIABLE}", instance=~"$${COLLECTOR_INSTANCE_VARIABLE}"`;

/** A selector with the dashboard scope matchers first, then the given ones. */
export function scopedSelector(metric: string, matchers: readonly string[] = []): string {
  return `${metric}{${[SCOPE_MATCHERS, ...matchers].join(', ')}}`;
}

/** A selector of a collector metric, scoped by the collector variables instead of the service's. */
export function collectorSelector(metric: string, matchers: readonly string[] = []): string {
  return `${metric}{${[COLLECTOR_SCOPE_MATCHERS, ...matchers].join(', ')}}`;
}

/** `rate(selector[$__rate_interval])`. */
export function rateOf(selector: string): string {
  return `rate(${selector}[$__rate_interval])`;
}

/** `sum by (labels) (rate(selector[$__rate_interval]))`, or `sum(...)` without labels. */
export function sumRate(selector: string, by: readonly string[] = []): string {
  return `${sumBy(by)} (${rateOf(selector)})`;
}

export function sumBy(by: readonly string[]): string {
  return aggregateBy('sum', by);
}

/** A PromQL aggregation operator: `op` alone, or `op by (labels)`. */
export function aggregateBy(operator: 'sum' | 'avg' | 'max' | 'min', by: readonly string[]): string {
  return by.length === 0 ? operator : `${operator} by (${by.join(', ')})`;
}

/** `histogram_quantile(q, sum by (le, labels) (rate(bucket[$__rate_interval])))`. */
export function histogramQuantile(
  quantile: number,
  bucketSelector: string,
  by: readonly string[] = [],
): string {
  return `histogram_quantile(${quantile}, ${sumRate(bucketSelector, ['le', ...by])})`;
}

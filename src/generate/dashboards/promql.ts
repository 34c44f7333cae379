// Small PromQL spelling helpers for the dashboards: selectors scoped by the $job and $instance
// variables, rates over $__rate_interval, quantiles and ratios. Names come from spec/naming.
import { sanitizeLabelName } from '../../spec/naming.js';
import { labelMatcher } from '../../spec/promql.js';
import type { AttributeMatch } from '../../spec/types.js';

/** Label matchers that every dashboard selector carries (dashboard-linter target-job/instance rules). */
export const SCOPE_MATCHERS = 'job=~"$job", instance=~"$instance"';

/**
 * `name="value"` / `name=~"a|b"` matchers for an attribute match, label names sanitised. Sorted
 * by attribute here (unlike the rules' spec order) so a panel's query does not change when the
 * spec's keys are reordered; both orders select the same series.
 */
export function attributeMatchers(match: AttributeMatch | undefined): string[] {
  if (match === undefined) return [];
  return Object.keys(match)
    .sort()
    .map((attribute) => labelMatcher(sanitizeLabelName(attribute), match[attribute] ?? []));
}

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

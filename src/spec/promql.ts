// The one PromQL spelling of strings, regex alternations and label matchers: the SLO calculator's
// live queries, the rules, the dashboards and the Alertmanager inhibitions all use it.
import { sanitizeLabelName } from './naming.js';
import type { AttributeMatch } from './types.js';

/** A PromQL (and Alertmanager matcher) double-quoted string body: backslash, quote, newline escaped. */
export function escapeString(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A PromQL double-quoted string literal. */
export function promString(value: string): string {
  return `"${escapeString(value)}"`;
}

/** An RE2 alternation matching exactly these values (regex metacharacters escaped). */
export function regexAlternation(values: readonly string[]): string {
  return values.map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** `label="value"` for one value, `label=~"a|b"` for several. */
export function labelMatcher(label: string, values: readonly string[]): string {
  return values.length === 1
    ? `${label}=${promString(values[0]!)}`
    : `${label}=~${promString(regexAlternation(values))}`;
}

/** A label and the values it may take, label name already sanitised. */
export type LabelValues = readonly [label: string, values: readonly string[]];

/**
 * An attribute match as [label, values] pairs, label names sanitised, in the spec's key order:
 * the order of the committed rule files and of the live SLO queries.
 */
export function matchPairs(match: AttributeMatch | undefined): LabelValues[] {
  if (match === undefined) return [];
  return Object.entries(match).map(([attribute, values]) => [sanitizeLabelName(attribute), values]);
}

/**
 * `name="value"` / `name=~"a|b"` matchers, sorted by attribute: the dashboards' order, so a panel
 * query does not change when the spec's keys are reordered. Both orders select the same series;
 * making the rules sort too would change every committed rule file with a multi-key `where`.
 */
export function attributeMatchers(match: AttributeMatch | undefined): string[] {
  if (match === undefined) return [];
  return Object.keys(match)
    .sort()
    .map((attribute) => labelMatcher(sanitizeLabelName(attribute), match[attribute] ?? []));
}

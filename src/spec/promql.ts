// The one PromQL spelling of strings, regex alternations and label matchers: the SLO calculator's
// live queries, the rules, the dashboards and the Alertmanager inhibitions all use it.
import { sanitizeLabelName } from './naming.js';
import type { AttributeMatch } from './types.js';
import { escapeRegex, isPattern, valueRegex } from './value-match.js';

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
  return values.map(escapeRegex).join('|');
}

/**
 * `label="value"` for one value, `label=~"a|b"` for several; a pattern value (`5*`, `*`: see
 * value-match.ts), or one with U+FFFD (see REPLACEMENT), is always a regex.
 */
export function labelMatcher(
  label: string,
  values: readonly string[],
  quote: (value: string) => string = promString,
): string {
  return values.length === 1 && !isPattern(values[0]!) && !REPLACEMENT.test(values[0]!)
    ? `${label}=${quote(values[0]!)}`
    : `${label}=~${quote(values.map(valueRegex).join('|').replace(REPLACEMENT_ALL, '\\x{FFFD}'))}`;
}

/**
 * U+FFFD, or a surrogate without its other half (which a file or a request carries as U+FFFD).
 * PromQL refuses the raw rune in a string ("invalid UTF-8 rune"), and a rule may not spell it
 * `\ufffd` either: Prometheus evaluates a rule by printing its expression, which writes the rune
 * raw, and parsing that again (promtool: "invalid UTF-8 rune" at every evaluation). A value with
 * one is matched as an RE2 regex, the rune as the escape `\x{FFFD}`, plain ASCII.
 */
const REPLACEMENT_SOURCE =
  '\\uFFFD|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const REPLACEMENT = new RegExp(REPLACEMENT_SOURCE);
const REPLACEMENT_ALL = new RegExp(REPLACEMENT_SOURCE, 'g');

/** A label and the values it may take, label name already sanitised. */
export type LabelValues = readonly [label: string, values: readonly string[]];

/**
 * An attribute match as [label, values] pairs, label names sanitised, sorted by attribute: the one
 * order of every matcher plumbline writes (rules, live SLO queries, dashboards, docs), so a query
 * does not change when the spec's keys are reordered.
 */
export function matchPairs(match: AttributeMatch | undefined): LabelValues[] {
  if (match === undefined) return [];
  return Object.keys(match)
    .sort()
    .map((attribute) => [sanitizeLabelName(attribute), match[attribute] ?? []]);
}

/**
 * `name="value"` / `name=~"a|b"` matchers, in {@link matchPairs}' order; `quote` writes the
 * string literals ({@link dashboardString} in a dashboard).
 */
export function attributeMatchers(
  match: AttributeMatch | undefined,
  quote: (value: string) => string = promString,
): string[] {
  return matchPairs(match).map(([label, values]) => labelMatcher(label, values, quote));
}

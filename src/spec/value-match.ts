// The values of an SLI's `where` and `bad` matches: literals, or patterns where `*` stands for any
// run of characters (`'5*'`: every 5xx status code; `'*'` alone: any value, i.e. the attribute
// is present). One meaning everywhere a match is read: the in-process SLO calculator, the PromQL
// of rules, dashboards and live queries (RE2, fully anchored), the promtool test series and
// check live.

/** Whether a match value is a pattern (has a `*`). */
export function isPattern(value: string): boolean {
  return value.includes('*');
}

/** Whether a match value is stars only: any value, the attribute merely present. */
export function isPresencePattern(value: string): boolean {
  return /^\*+$/.test(value);
}

/**
 * The RE2 regex (as PromQL's `=~` reads it: anchored at both ends) matching exactly what `value`
 * matches: a literal with its metacharacters escaped, each `*` of a pattern as `.*`. A pattern
 * of stars only is `.+`: Prometheus reads an empty label as an absent one, and an absent
 * attribute matches nothing.
 */
export function valueRegex(value: string): string {
  if (!isPattern(value)) return escapeRegex(value);
  if (isPresencePattern(value)) return '.+';
  return value.split('*').map(escapeRegex).join('.*');
}

/** A test of one attribute or label value (as a string) against a list of match values. */
export type ValueTest = (value: string | undefined) => boolean;

// One test per list: the spec's lists are read per sample (check live) and per series (promtool
// series), so a pattern's RegExp is built once, not per call.
const tests = new WeakMap<readonly string[], ValueTest>();

/** The test for `values` (built once per list). */
export function valueMatcher(values: readonly string[]): ValueTest {
  let test = tests.get(values);
  if (test === undefined) {
    test = buildTest(values);
    tests.set(values, test);
  }
  return test;
}

function buildTest(values: readonly string[]): ValueTest {
  if (!values.some(isPattern)) {
    const set = new Set(values);
    // As PromQL reads `label=""`: an absent value is the empty one.
    return (value) => set.has(value ?? '');
  }
  // The regex matches "" only when "" is listed (no pattern does): then, as PromQL's
  // `label=~"|err.*"` does, an absent value matches too.
  const regex = new RegExp(`^(?:${values.map(valueRegex).join('|')})$`, 's');
  return (value) => regex.test(value ?? '');
}

/** A concrete value `value` matches (a literal itself; a pattern with each `*` as `x`). */
export function exampleValue(value: string): string {
  return value.replace(/\*/g, 'x');
}

/** `value` as an RE2 literal: its regex metacharacters escaped. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

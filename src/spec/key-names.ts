// The names a spec's maps are keyed by (SLOs, metrics, events, event fields): what a key that
// breaks its map's pattern is told, and the nearest name that keeps it. The patterns themselves
// are the schema's (spec-schema.ts, `propertyNames`); this file only words them.

interface KeyRule {
  /** What the key names, as the subject of the message: "an SLO name". */
  readonly what: string;
  /** The pattern in words, for a reader who does not read regular expressions. */
  readonly inWords: string;
  /** The nearest name that keeps the pattern (checked against it before it is offered). */
  readonly nearest: (key: string) => string;
}

const metricLike = (key: string): string => key.replace(/[^A-Za-z0-9_.]+/g, '_').replace(/^(?=[0-9.])/, '_');

const SLO: KeyRule = {
  what: 'an SLO name',
  inWords: 'lowercase letters, digits and dashes',
  nearest: (key) =>
    key
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, ''),
};
const METRIC: KeyRule = {
  what: 'a metric name',
  inWords: 'letters, digits, "_" and ".", not starting with a digit or "."',
  nearest: metricLike,
};
const EVENT: KeyRule = {
  what: 'an event name',
  inWords: 'letters, digits, "_", "." and "-"',
  nearest: (key) => key.replace(/[^A-Za-z0-9_.-]+/g, '_'),
};
const FIELD: KeyRule = {
  what: 'a field name',
  inWords: 'letters, digits, "_" and ".", not starting with a digit or "."',
  nearest: metricLike,
};

/** The rule of the map at `mapKeys` (the keys from the spec's root to the map). */
function ruleOf(mapKeys: readonly string[]): KeyRule | undefined {
  const [section] = mapKeys;
  if (mapKeys.length === 1) {
    if (section === 'slos') return SLO;
    if (section === 'counters' || section === 'gauges' || section === 'histograms') return METRIC;
    if (section === 'events') return EVENT;
  }
  if (mapKeys.length === 3 && section === 'events' && mapKeys[2] === 'fields') return FIELD;
  return undefined;
}

/**
 * What is wrong with `key`, a key of the map at `mapKeys` that does not match `pattern`:
 * `an SLO name must match ^[a-z0-9][a-z0-9-]*$ (lowercase letters, digits and dashes); did you
 * mean "bad-name"?`.
 */
export function keyPatternMessage(mapKeys: readonly string[], key: string, pattern: string): string {
  const rule = ruleOf(mapKeys);
  if (rule === undefined) return `a key here must match ${pattern}`;
  const nearest = rule.nearest(key);
  const offered = nearest !== '' && nearest !== key && new RegExp(pattern, 'u').test(nearest);
  return (
    `${rule.what} must match ${pattern} (${rule.inWords})` +
    (offered ? `; did you mean ${JSON.stringify(nearest)}?` : '')
  );
}

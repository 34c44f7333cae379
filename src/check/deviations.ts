// A deviation is one way a running service's telemetry differs from its spec, named by kind
// and subject. Repeats fold into one entry with a count; distinct entries are bounded.

export const DEVIATION_KINDS = [
  'undeclared-metric',
  'undeclared-attribute',
  'bucket-mismatch',
  'unit-mismatch',
  'type-mismatch',
  'cardinality-exceeded',
  'exemplars-missing',
  'exemplars-unexpected',
  'undeclared-event',
  'event-schema',
  'missing-trace-id',
  'sampling-key-missing',
  'span-attribute-missing',
  'semconv',
  'sli-series-absent',
  'sensitive-unredacted',
  'exposition-invalid',
  'input-failed',
  'service-exited',
] as const;
export type DeviationKind = (typeof DEVIATION_KINDS)[number];

export type DeviationSource =
  'metrics' | 'logs' | 'otlp-traces' | 'otlp-logs' | 'otlp-metrics' | 'spec' | 'service';

export interface Deviation {
  readonly kind: DeviationKind;
  /** What deviates: a metric, metric and attribute, event, event and field, span name... */
  readonly subject: string;
  readonly source: DeviationSource;
  /**
   * What was seen against what the spec says: the first occurrence's, or the latest one's for
   * a deviation about cumulative state (see {@link Deviations.update}).
   */
  readonly detail: string;
  /** How many times it was seen. */
  count: number;
}

/** Distinct deviations kept; past it, further distinct ones are only counted. */
export const MAX_DISTINCT_DEVIATIONS = 1000;

export class Deviations {
  private readonly byKey = new Map<string, Deviation>();
  /** Distinct deviations not kept because the bound was reached. */
  dropped = 0;

  /** Records a deviation seen `times` times (e.g. in that many scrapes). */
  add(kind: DeviationKind, subject: string, source: DeviationSource, detail: string, times = 1): void {
    this.record(kind, subject, source, detail, times, false);
  }

  /**
   * Records a deviation about cumulative state (a scrape's counts), whose latest detail says
   * more than its first: a check live run reported "2 observations above 0.05 and no bucket
   * carries an exemplar" from its first scrape, with 13 by the last.
   */
  update(kind: DeviationKind, subject: string, source: DeviationSource, detail: string): void {
    this.record(kind, subject, source, detail, 1, true);
  }

  private record(
    kind: DeviationKind,
    subject: string,
    source: DeviationSource,
    detail: string,
    times: number,
    latest: boolean,
  ): void {
    const key = `${kind}\u0000${subject}\u0000${source}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      existing.count += times;
      if (latest) this.byKey.set(key, { ...existing, detail });
      return;
    }
    if (this.byKey.size >= MAX_DISTINCT_DEVIATIONS) {
      this.dropped++;
      return;
    }
    this.byKey.set(key, { kind, subject, source, detail, count: times });
  }

  /**
   * Takes back one occurrence recorded before (a root named for lacking a sampling key, whose
   * trace showed the key in a span exported after it); the entry goes when none is left.
   */
  retract(kind: DeviationKind, subject: string, source: DeviationSource): void {
    const key = `${kind}\u0000${subject}\u0000${source}`;
    const existing = this.byKey.get(key);
    if (existing === undefined) return;
    existing.count -= 1;
    if (existing.count <= 0) this.byKey.delete(key);
  }

  /** Sorted by kind (in DEVIATION_KINDS order), then subject, so reports are stable. */
  list(): Deviation[] {
    const order = new Map<string, number>(DEVIATION_KINDS.map((kind, i) => [kind, i]));
    return [...this.byKey.values()].sort(
      (a, b) =>
        order.get(a.kind)! - order.get(b.kind)! ||
        a.subject.localeCompare(b.subject) ||
        a.source.localeCompare(b.source),
    );
  }
}

// Attributes the service records that its instruments do not declare, read from plumbline's own
// counter on /metrics (plumbline_metrics_undeclared_attributes_total{metric,attribute}: series a
// measurement carrying such an attribute created). OTel keeps an undeclared attribute on
// exemplars only, which the spec allows (docs/metrics.md), so they are listed and fail nothing;
// after a rename they are where the old key shows.
import { sdkSeries } from '../spec/naming.js';
import type { ParsedExposition } from './openmetrics-parser.js';

export interface UndeclaredAttribute {
  /** The instrument, as the spec names it. */
  readonly metric: string;
  /** The attribute key the code recorded; `(other)` past plumbline's 16 names per instrument. */
  readonly attribute: string;
  /** Series created by a measurement that carried it, at the last scrape that showed it. */
  series: number;
}

/** The family as a parser names it: OpenMetrics counter families drop `_total`. */
const FAMILIES = [
  sdkSeries.metricsUndeclaredAttributes,
  sdkSeries.metricsUndeclaredAttributes.replace(/_total$/, ''),
];

export class UndeclaredAttributes {
  private readonly byKey = new Map<string, UndeclaredAttribute>();

  /** Reads the counter from one scrape; a later scrape's value replaces an earlier one's. */
  scraped(exposition: ParsedExposition): void {
    for (const name of FAMILIES) {
      const family = exposition.families.get(name);
      if (family === undefined) continue;
      for (const sample of family.samples) {
        const metric = sample.labels['metric'];
        const attribute = sample.labels['attribute'];
        if (metric === undefined || attribute === undefined || !(sample.value > 0)) continue;
        const key = `${metric}\u0000${attribute}`;
        const existing = this.byKey.get(key);
        if (existing !== undefined) existing.series = sample.value;
        else this.byKey.set(key, { metric, attribute, series: sample.value });
      }
    }
  }

  /** Sorted by metric, then attribute. */
  list(): UndeclaredAttribute[] {
    return [...this.byKey.values()].sort(
      (a, b) => a.metric.localeCompare(b.metric) || a.attribute.localeCompare(b.attribute),
    );
  }
}

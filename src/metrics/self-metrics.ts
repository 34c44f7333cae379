// The SDK's own metrics (dropped measurements, overflow, log schema violations, sampler
// decisions, SLO gauges): named verbatim by their owners, exposed beside the spec's instruments.
import { sanitizeLabelName } from '../spec/naming.js';
import { escapeLabelValue, wellFormed } from './series-table.js';

export interface SelfCounter {
  add(value: number, labels: Readonly<Record<string, string>>): void;
}

export interface SelfGaugeSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface SelfSample {
  readonly labels: Readonly<Record<string, string>>;
  /** `{a="x"}` or ''. */
  readonly labelBlock: string;
  readonly value: number;
}

/** Label sets kept per self metric; more go to one overflow sample, like the spec's instruments. */
const SELF_SERIES_LIMIT = 1000;

export class SelfCounterFamily implements SelfCounter {
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; labelBlock: string; value: number }
  >();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  add(value: number, labels: Readonly<Record<string, string>>): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return;
    let values = this.labelNames.map((name) => labels[name] ?? '');
    let key = values.join('\u0000');
    let series = this.series.get(key);
    if (series === undefined) {
      // Values as they are written: two spellings of one label value (a lone surrogate in an
      // app's instrument name) are one series, not two identical lines.
      values = values.map((text) => wellFormed(String(text)));
      key = values.join('\u0000');
      series = this.series.get(key);
    }
    if (series === undefined) {
      let own: Record<string, string> = {};
      if (this.series.size >= SELF_SERIES_LIMIT) {
        key = '\u0001overflow';
        own = { 'otel.metric.overflow': 'true' };
      } else {
        this.labelNames.forEach((name, i) => {
          if (values[i] !== '') own[name] = values[i]!;
        });
      }
      series = this.series.get(key);
      if (series === undefined) {
        series = { labels: own, labelBlock: renderLabels(own), value: 0 };
        this.series.set(key, series);
      }
    }
    series.value += value;
  }

  samples(): SelfSample[] {
    return [...this.series.values()];
  }
}

/** Values read from their owner at scrape/export time: gauges, or counters kept elsewhere. */
export class SelfGaugeFamily {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly collect: () => readonly SelfGaugeSample[],
    readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  /** Runs the owner's callback; one that throws yields no samples rather than a failed scrape. */
  samples(): SelfSample[] {
    let collected: readonly SelfGaugeSample[];
    try {
      collected = this.collect();
    } catch {
      return [];
    }
    if (!Array.isArray(collected)) return [];
    return collected.slice(0, SELF_SERIES_LIMIT).map((sample) => ({
      labels: sample.labels,
      labelBlock: renderLabels(sample.labels),
      value: sample.value,
    }));
  }
}

function renderLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${sanitizeLabelName(name)}="${escapeLabelValue(String(value))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

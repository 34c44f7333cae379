// Everything one `createMetrics` call exposes, in exposition order: read by the text
// exposition, the MetricProducer and the snapshot helpers.
import type { CounterInstrument } from './counter.js';
import type { GaugeInstrument } from './gauge.js';
import type { HistogramInstrument } from './histogram.js';
import type { SelfCounterFamily, SelfGaugeSource } from './self-metrics.js';

export interface MetricRegistry {
  readonly histograms: readonly HistogramInstrument[];
  readonly counters: readonly CounterInstrument[];
  readonly gauges: readonly GaugeInstrument[];
  readonly selfCounters: readonly SelfCounterFamily[];
  /**
   * Self gauges by registration, each read once per collection pass and its snapshot handed to
   * each of its families (a plain self gauge is a group of one).
   */
  readonly selfGauges: readonly SelfGaugeSource[];
  /**
   * Filtered exemplar attributes left out of a scrape or an export: past OpenMetrics' 128-code-point
   * limit, named like another exemplar label, or with a value that cannot be written.
   */
  readonly onExemplarAttributesDropped: (metric: string, count: number) => void;
}

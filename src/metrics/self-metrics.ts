// The SDK's own metrics (dropped measurements, overflow, log schema violations, sampler
// decisions, SLO gauges): named verbatim by their owners, exposed beside the spec's instruments.
import { Buffer } from 'node:buffer';
import { sanitizeLabelName } from '../spec/naming.js';
import type { TelemetrySpec } from '../spec/types.js';
import {
  DEFAULT_LABEL_VALUE_LENGTH_LIMIT,
  boundLabelValue,
  escapeLabelValue,
  wellFormed,
} from './series-table.js';

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

/** More than the longest word the SDK writes as a self-metric label value (a reason, a family name). */
const SDK_WORD_BYTES = 64;

/**
 * The bound of the self-metrics' label values: labelValueLengthLimit, but never below the words
 * the SDK itself writes there (its reasons and family names, the spec's instrument, event and SLO
 * names), which a small limit would cut into values no alert or dashboard matches.
 */
export function selfLabelValueLengthLimit(labelValueLengthLimit: number, spec: TelemetrySpec): number {
  let longest = SDK_WORD_BYTES;
  for (const names of [spec.histograms, spec.counters, spec.gauges, spec.events, spec.slos])
    for (const name of Object.keys(names ?? {})) longest = Math.max(longest, Buffer.byteLength(name, 'utf8'));
  return Math.max(labelValueLengthLimit, longest);
}

/**
 * The bound of a self-metric label value, as the spec's instruments have it: an instrument name
 * the app passes (a counter it does not declare) or a sampler budget key a client chose becomes a
 * label value here, and a 1 MB one was written whole at every scrape (regression:
 * self-metric-label-value-unbounded).
 */
export interface SelfLabelLimits {
  /** Most UTF-8 bytes of a label value; longer ones are cut (DEFAULT_LABEL_VALUE_LENGTH_LIMIT). */
  readonly labelValueLengthLimit?: number;
  /** Told how many values an add had cut (a counter's; a gauge, read at every scrape, is not counted). */
  readonly onValuesTruncated?: (count: number) => void;
}

export class SelfCounterFamily implements SelfCounter {
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; labelBlock: string; value: number }
  >();

  private readonly valueLimit: number;
  private readonly onValuesTruncated: ((count: number) => void) | undefined;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    limits: SelfLabelLimits = {},
  ) {
    this.valueLimit = limits.labelValueLengthLimit ?? DEFAULT_LABEL_VALUE_LENGTH_LIMIT;
    this.onValuesTruncated = limits.onValuesTruncated;
  }

  add(value: number, labels: Readonly<Record<string, string>>): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return;
    this.seriesOf(labels).value += value;
  }

  /**
   * `add` with these labels, bound: their series is found on the first add and kept, so each
   * add after costs no key built from the values (an unknown instrument name of 2 KB joined and
   * hashed 2 KB per call). Counts what `add` counts, cuts included.
   */
  bind(labels: Readonly<Record<string, string>>): (value: number) => void {
    let series: { value: number } | undefined;
    /** Values of `labels` past the length limit: each add counts them, as `add` does. */
    let cuts = 0;
    return (value) => {
      if (typeof value !== 'number' || !(value >= 0) || value === Infinity) return;
      if (series === undefined) {
        for (const name of this.labelNames)
          if (boundLabelValue(String(labels[name] ?? ''), this.valueLimit) !== undefined) cuts++;
        series = this.seriesOf(labels);
      } else if (cuts > 0) this.countTruncated(cuts);
      series.value += value;
    };
  }

  /** The series of these labels, made if new (or the overflow series); a cut value is counted. */
  private seriesOf(labels: Readonly<Record<string, string>>): { value: number } {
    let values = this.labelNames.map((name) => labels[name] ?? '');
    let key = values.join('\u0000');
    let series = this.series.get(key);
    if (series === undefined) {
      // Values as they are written: two spellings of one label value (a lone surrogate in an
      // app's instrument name) are one series, not two identical lines. A value past the length
      // limit is cut and keys the series of its cut form; the long spelling is never a key, so
      // each add of it comes back here and is counted.
      let truncated = 0;
      values = values.map((raw) => {
        const text = String(raw);
        const bounded = boundLabelValue(text, this.valueLimit);
        if (bounded === undefined) return wellFormed(text);
        truncated++;
        return bounded;
      });
      if (truncated > 0) this.countTruncated(truncated);
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
    return series;
  }

  samples(): SelfSample[] {
    return [...this.series.values()];
  }

  private countTruncated(count: number): void {
    try {
      this.onValuesTruncated?.(count);
    } catch {
      // Counting must not throw into the caller (an app's record call, for an unknown name).
    }
  }
}

/** One family of a group: its samples drawn from the group's snapshot. */
export interface SelfGaugeGroupFamily<T> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly samples: (snapshot: T) => readonly SelfGaugeSample[];
  /** 'counter': a cumulative count its owner keeps. Default 'gauge'. */
  readonly type?: 'gauge' | 'counter';
}

/** Values drawn at scrape/export time from a snapshot of their owner's: gauges, or counters kept elsewhere. */
export class SelfGaugeFamily<T = unknown> {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    private readonly fromSnapshot: (snapshot: T) => readonly SelfGaugeSample[],
    readonly type: 'gauge' | 'counter' = 'gauge',
    private readonly valueLimit: number = DEFAULT_LABEL_VALUE_LENGTH_LIMIT,
  ) {}

  /**
   * The family's samples from its group's snapshot; one that throws yields no samples rather than
   * a failed scrape. Label values past the length limit are cut; samples whose labels come out the
   * same as an earlier one's (two long keys alike up to the cut) are left out: one series, one line.
   */
  samples(snapshot: T): SelfSample[] {
    let collected: readonly SelfGaugeSample[];
    try {
      collected = this.fromSnapshot(snapshot);
    } catch {
      return [];
    }
    if (!Array.isArray(collected)) return [];
    const samples: SelfSample[] = [];
    let seen: Set<string> | undefined;
    for (const sample of collected.slice(0, SELF_SERIES_LIMIT)) {
      const labels = this.boundLabels(sample.labels);
      const labelBlock = renderLabels(labels);
      if (labels !== sample.labels) seen ??= new Set(samples.map((earlier) => earlier.labelBlock));
      if (seen !== undefined) {
        if (seen.has(labelBlock)) continue;
        seen.add(labelBlock);
      }
      samples.push({ labels, labelBlock, value: sample.value });
    }
    return samples;
  }

  /** The labels with each value cut to the limit; the same object when none is cut. */
  private boundLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    let bounded: Record<string, string> | undefined;
    for (const [name, value] of Object.entries(labels)) {
      const cut = boundLabelValue(String(value), this.valueLimit);
      if (cut === undefined) continue;
      bounded ??= { ...labels };
      bounded[name] = cut;
    }
    return bounded ?? labels;
  }
}

/** A self family as a collection pass writes it: its name, help and type. */
export interface SelfFamilyHeader {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
}

/**
 * Self gauge families drawn from one read of their owner (the sampler's stats(), the SLO status),
 * as the registry holds them: a plain self gauge is a group of one.
 */
export interface SelfGaugeSource {
  readonly families: readonly SelfFamilyHeader[];
  /**
   * One read, then `visit` with each family and its samples, in order. A read that throws gives
   * every family of the group no samples (it is not tried again per family), never a failed pass.
   */
  collect(visit: (family: SelfFamilyHeader, samples: SelfSample[]) => void): void;
  /** The index of the family of that name, or -1. */
  indexOf(name: string): number;
  /** Puts `family`, which reads on its own, where the family at `index` was. */
  replace(index: number, family: SelfGaugeFamily<unknown>): void;
  /** Leaves the family at `index` out of the group. */
  remove(index: number): void;
}

/**
 * Families registered together with the one read they are drawn from: each collection pass (a
 * scrape in either format, an OTLP export) reads the group once and hands that snapshot to each of
 * its families. So the families of one pass always come from one read (kept and dropped totals
 * that add up, whatever the pass filters, in whatever order or turns it collects), and a costly
 * read is paid once per pass. Nothing is held between passes: each pass reads afresh.
 */
export class SelfGaugeGroup<T> implements SelfGaugeSource {
  private readonly members: SelfGaugeFamily<T>[];

  constructor(
    private readonly read: () => T,
    families: readonly SelfGaugeFamily<T>[],
  ) {
    this.members = [...families];
  }

  get families(): readonly SelfFamilyHeader[] {
    return this.members;
  }

  collect(visit: (family: SelfFamilyHeader, samples: SelfSample[]) => void): void {
    let snapshot: T;
    try {
      snapshot = this.read();
    } catch {
      for (const family of this.members) visit(family, []);
      return;
    }
    for (const family of this.members) visit(family, family.samples(snapshot));
  }

  indexOf(name: string): number {
    return this.members.findIndex((family) => family.name === name);
  }

  replace(index: number, family: SelfGaugeFamily<unknown>): void {
    this.members[index] = family;
  }

  remove(index: number): void {
    this.members.splice(index, 1);
  }
}

function renderLabels(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${sanitizeLabelName(name)}="${escapeLabelValue(String(value))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

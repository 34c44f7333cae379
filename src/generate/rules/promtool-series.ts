// Synthetic input series for `promtool test rules`, and what Prometheus must compute from them:
// counters that start at 0 and are sampled every minute, so rate() and increase() need no
// extrapolation and the expected values follow exactly from the per-minute counts.

import type { TelemetrySpec } from '../../spec/types.js';
import type { SloModel } from '../../slo/model.js';
import { parseDuration } from '../../slo/duration.js';
import { sliSeries, type SeriesRef } from '../../slo/sli-promql.js';
import type { AttributeMatch } from '../../spec/types.js';
import { exampleValue, valueMatcher } from '../../spec/value-match.js';

/** A stretch of constant traffic: `minutes` minutes of `total` events a minute, `bad` of them bad. */
export interface Phase {
  readonly minutes: number;
  readonly total: number;
  readonly bad: number;
}

export interface InputSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Cumulative value at minute 0, 1, 2, ... */
  readonly values: number[];
}

/** Series of all SLOs: the ones under test follow their phases, the rest run clean traffic. */
export function buildSeries(
  spec: TelemetrySpec,
  slos: readonly SloModel[],
  phasesBySlo: ReadonlyMap<string, readonly Phase[]>,
  minutes: number,
  backgroundPerMinute: number,
  extra: AttributeMatch = {},
): InputSeries[] {
  const byKey = new Map<string, InputSeries>();
  // The SLOs under test claim their series first, so shared series carry their traffic.
  const ordered = [...slos].sort((a, b) => Number(phasesBySlo.has(b.name)) - Number(phasesBySlo.has(a.name)));
  for (const slo of ordered) {
    const phases = phasesBySlo.get(slo.name) ?? [{ minutes, total: backgroundPerMinute, bad: 0 }];
    const series = sliSeries(slo, spec, extra);
    const total = series.total[0]!;
    const perMinute = expand(phases, minutes);
    const add = (metric: string, labels: Record<string, string>, increments: number[]) => {
      const key = seriesText(metric, labels);
      if (byKey.has(key)) return;
      const values = [0];
      for (const increment of increments) values.push(values[values.length - 1]! + increment);
      byKey.set(key, { metric, labels, values });
    };
    if (series.bad !== undefined && series.good !== undefined) {
      // Good and bad on metrics of their own (the pipeline SLI): each at its first label set.
      add(
        series.bad.metric,
        pickLabels(series.bad),
        perMinute.map((m) => m.bad),
      );
      add(
        series.good.metric,
        pickLabels(series.good),
        perMinute.map((m) => m.total - m.bad),
      );
    } else if (series.bad !== undefined) {
      const badLabels = pickLabels(series.bad);
      add(
        series.bad.metric,
        badLabels,
        perMinute.map((m) => m.bad),
      );
      add(
        total.metric,
        goodLabels(total, series.bad, badLabels),
        perMinute.map((m) => m.total - m.bad),
      );
    } else {
      add(
        total.metric,
        pickLabels(total),
        perMinute.map((m) => m.total),
      );
      add(
        series.good!.metric,
        pickLabels(series.good!),
        perMinute.map((m) => m.total - m.bad),
      );
    }
  }
  return [...byKey.values()].sort((a, b) =>
    seriesText(a.metric, a.labels).localeCompare(seriesText(b.metric, b.labels)),
  );
}

export function seriesText(metric: string, labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return metric;
  return `${metric}{${entries.map(([k, v]) => `${k}=${seriesValue(v)}`).join(',')}}`;
}

/**
 * A label value as promtool reads a series (with the PromQL lexer): JSON's escapes are Go's, but
 * JSON writes U+FFFD raw (PromQL refuses it: "invalid UTF-8 rune") and a lone surrogate as
 * `\udXXX` (refused too), so both are `\ufffd`, as the rules' selectors write them.
 */
function seriesValue(value: string): string {
  return JSON.stringify(value).replace(/\uFFFD|\\ud[89a-f][0-9a-f]{2}/g, '\\ufffd');
}

/** promtool's expanding notation: runs of equal increments as `start+stepxN`. */
export function valuesText(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    const start = values[i]!;
    if (i + 1 >= values.length) {
      parts.push(String(start));
      break;
    }
    const step = values[i + 1]! - start;
    let j = i + 1;
    while (j + 1 < values.length && values[j + 1]! - values[j]! === step) j++;
    parts.push(`${start}+${step}x${j - i}`);
    i = j + 1;
  }
  return parts.join(' ');
}

/** What the generated rules evaluate to at minute `at`, computed the way Prometheus 2 does. */
export interface Evaluated {
  errorRatio(window: string): number;
  events(window: string): number;
  /** True when some series the SLI reads exists. */
  readonly present: boolean;
}

export function evaluateAt(
  spec: TelemetrySpec,
  slo: SloModel,
  series: readonly InputSeries[],
  at: number,
  extra: AttributeMatch = {},
): Evaluated {
  const sli = sliSeries(slo, spec, extra);
  const totals = series.filter((s) => sli.total.some((ref) => selects(ref, s)));
  const increase = (s: InputSeries, window: string) => {
    const minutes = wholeMinutes(parseDuration(window)!);
    // Counters start at 0 at minute 0: no extrapolation either side, increase is exact.
    return s.values[at]! - s.values[Math.max(0, at - minutes)]!;
  };
  const sumRate = (selected: InputSeries[], window: string) => {
    const seconds = parseDuration(window)! / 1000;
    let sum = 0;
    for (let i = 0; i < selected.length; i++)
      sum =
        i === 0 ? increase(selected[i]!, window) / seconds : sum + increase(selected[i]!, window) / seconds;
    return sum;
  };
  return {
    present: totals.length > 0,
    events: (window) =>
      totals.reduce((sum, s, i) => (i === 0 ? increase(s, window) : sum + increase(s, window)), 0),
    errorRatio(window) {
      const total = sumRate(totals, window);
      if (sli.bad !== undefined)
        return (
          sumRate(
            series.filter((s) => selects(sli.bad!, s)),
            window,
          ) / Math.max(total, 1e-300)
        );
      const good = sumRate(
        series.filter((s) => selects(sli.good!, s)),
        window,
      );
      return (total - good) / Math.max(total, 1e-300);
    },
  };
}

/**
 * A duration in minutes, the unit of every time the promtool files write (series are sampled
 * every minute); throws on a fraction, which the spec check refuses (tier windows are whole
 * minutes), rather than writing "32.5m" or reading a sample between two.
 */
export function wholeMinutes(ms: number): number {
  const minutes = ms / 60_000;
  if (!Number.isInteger(minutes))
    throw new Error(`promtool files: ${ms} ms is not a whole number of minutes`);
  return minutes;
}

function selects(ref: SeriesRef, s: InputSeries): boolean {
  return (
    ref.metric === s.metric && ref.matchers.every(([label, values]) => valueMatcher(values)(s.labels[label]))
  );
}

function expand(phases: readonly Phase[], minutes: number): Phase[] {
  const out: Phase[] = [];
  for (const phase of phases) for (let i = 0; i < phase.minutes; i++) out.push(phase);
  while (out.length < minutes) out.push({ minutes: 1, total: 0, bad: 0 });
  return out.slice(0, minutes);
}

/**
 * One concrete label set a selector matches: the first allowed value of each label (for a
 * pattern, a value it matches: `5*` gives `5x`).
 */
function pickLabels(ref: SeriesRef): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [label, values] of ref.matchers) {
    // A label matched twice (where and bad) needs a value both allow.
    const previous = labels[label];
    const examples = values.map(exampleValue);
    labels[label] =
      previous !== undefined && valueMatcher(values)(previous)
        ? previous
        : (examples.find((v) => matchesAll(ref, label, v)) ?? examples[0]!);
  }
  return labels;
}

function matchesAll(ref: SeriesRef, label: string, value: string): boolean {
  return ref.matchers.every(([l, values]) => l !== label || valueMatcher(values)(value));
}

/** A label set the total selector matches and the bad selector does not. */
function goodLabels(
  total: SeriesRef,
  bad: SeriesRef,
  badLabels: Record<string, string>,
): Record<string, string> {
  const labels = { ...badLabels };
  const totalLabels = new Set(total.matchers.map(([l]) => l));
  for (const [label, badValues] of bad.matchers.slice(total.matchers.length)) {
    const allowed = total.matchers.filter(([l]) => l === label).map(([, v]) => v);
    const candidates =
      allowed.length > 0
        ? allowed[0]!.map(exampleValue).filter((v) => allowed.every((a) => valueMatcher(a)(v)))
        : ['ok', 'success', 'good'];
    const isBad = valueMatcher(badValues);
    const value = candidates.find((v) => !isBad(v));
    if (value !== undefined) {
      labels[label] = value;
      return labels;
    }
    // Every candidate is bad (a `*` pattern: any value present): good events lack the label.
    if (!totalLabels.has(label)) {
      delete labels[label];
      return labels;
    }
  }
  return labels;
}

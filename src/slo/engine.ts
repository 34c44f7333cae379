// The in-process SLO calculator: fed by the metrics registry on every record, by the SDK's
// pipeline counters on every export and drop (or directly via record()), it keeps one ring of
// time buckets per window and answers burn rates, tier state and error budget on demand. Setup
// throws SpecError on a bad spec; recording never throws.

import type { AttributeValue } from '@opentelemetry/api';
import {
  boundLabelValue,
  canonicalValue,
  DEFAULT_LABEL_VALUE_LENGTH_LIMIT,
} from '../metrics/series-table.js';
import { IssueListError } from '../spec/errors.js';
import { sdkSeries } from '../spec/naming.js';
import type { AttributeMatch, TelemetrySpec } from '../spec/types.js';
import { isPattern, valueMatcher } from '../spec/value-match.js';
import { burnRate, errorBudgetRemaining, errorRatio, timeToExhaustionMs } from './burn-rate.js';
import { resolveSpec } from '../spec/model.js';
import type { SloModel } from './model.js';
import { longMatchIssue, matchValuesLongerThan } from './match-value-length.js';
import { WindowRing } from './window-ring.js';

export type MeasurementListener = (
  value: number,
  attributes: Readonly<Record<string, unknown>> | undefined,
) => void;

/** What the metrics registry calls on every record of the named instrument. */
export interface SloListeners {
  readonly histograms?: Record<string, MeasurementListener[]>;
  readonly counters?: Record<string, MeasurementListener[]>;
  /**
   * What the SDK's own counters call on every add, keyed by their /metrics name
   * (plumbline_telemetry_exported_total, plumbline_telemetry_dropped_total), with their labels
   * as attributes: the pipeline SLI counts what /metrics counts.
   */
  readonly selfCounters?: Record<string, MeasurementListener[]>;
}

export interface WindowStatus {
  readonly window: string;
  /** The window's length in milliseconds (`window` parsed). */
  readonly windowMs: number;
  readonly events: number;
  readonly badEvents: number;
  /** 0 when the window saw no events. */
  readonly errorRatio: number;
  readonly burnRate: number;
}

export interface TierStatus {
  readonly tier: string;
  readonly severity: 'page' | 'ticket';
  /** The tier's burn-rate factor (threshold). */
  readonly burnRateThreshold: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly longBurnRate: number;
  readonly shortBurnRate: number;
  /** Both windows over the threshold and at least minEvents in the long window. */
  readonly firing: boolean;
  /** Both windows over the threshold but too few events: held back by the low-traffic guard. */
  readonly heldByMinEvents: boolean;
}

export interface SloStatus {
  readonly slo: string;
  readonly objective: number;
  readonly errorBudget: number;
  readonly window: string;
  /** Share of good events over the SLO window (1 when there was no traffic). */
  readonly sli: number;
  readonly windows: readonly WindowStatus[];
  readonly tiers: readonly TierStatus[];
  /** Share of the SLO window's budget left: 1 untouched, 0 or below spent. */
  readonly errorBudgetRemaining: number;
  /** The burn rate the exhaustion time assumes: over the fastest tier's long window. */
  readonly currentBurnRate: number;
  readonly currentBurnWindow: string;
  /** Milliseconds until the budget is gone at currentBurnRate; null when nothing burns. */
  readonly timeToExhaustionMs: number | null;
}

export interface SloEngine {
  /** Counts `count` (default 1) events of one SLO as good or bad. Unknown names are counted as dropped. */
  record(sloName: string, good: boolean, count?: number): void;
  readonly listeners: SloListeners;
  status(now?: number): SloStatus[];
  /** Measurements refused (unknown SLO, count not a finite number > 0). */
  readonly dropped: number;
}

export interface SloEngineOptions {
  /**
   * Clock in epoch milliseconds; default Date.now, the wall clock Prometheus and status(Date.now())
   * callers share. A clock that steps back loses nothing: until it catches up, events count in the
   * newest bucket of every window and every window reads up to that bucket.
   */
  readonly now?: () => number;
  /** Ring buckets per window (default 120). */
  readonly bucketsPerWindow?: number;
  /**
   * The createMetrics option of the same name (default 2048 for both): a value longer than this
   * many UTF-8 bytes is matched as the series is labelled, cut, so the engine counts what the
   * rules count.
   */
  readonly labelValueLengthLimit?: number;
}

/**
 * One SLO's rings plus the events since the last flush. Events that fall into the same bucket of
 * every ring are summed here and written into the rings once, when the time leaves that bucket or
 * status is asked: a record is then a clock read, a compare and two adds, whatever the windows.
 */
class SloState {
  readonly ringByWindow: ReadonlyMap<string, WindowRing>;
  private readonly rings: readonly WindowRing[];
  private pendingAt = 0;
  /** The earliest bucket end over all rings for pendingAt; -Infinity when nothing is pending. */
  private pendingUntil = -Infinity;
  private pendingTotal = 0;
  private pendingBad = 0;

  constructor(
    readonly model: SloModel,
    ringByWindow: ReadonlyMap<string, WindowRing>,
  ) {
    this.ringByWindow = ringByWindow;
    this.rings = [...ringByWindow.values()];
  }

  record(now: number, total: number, bad: number): void {
    // A clock that steps back stays in the pending buckets, as the rings would keep it in their newest.
    if (now >= this.pendingUntil) this.start(now);
    this.pendingTotal += total;
    this.pendingBad += bad;
  }

  flush(): void {
    if (this.pendingUntil === -Infinity) return;
    const rings = this.rings;
    for (let i = 0; i < rings.length; i++) rings[i]!.add(this.pendingAt, this.pendingTotal, this.pendingBad);
    this.pendingUntil = -Infinity;
    this.pendingTotal = 0;
    this.pendingBad = 0;
  }

  private start(now: number): void {
    this.flush();
    let until = Infinity;
    const rings = this.rings;
    for (let i = 0; i < rings.length; i++) until = Math.min(until, rings[i]!.bucketEnd(now));
    this.pendingAt = now;
    this.pendingUntil = until;
  }
}

/** createSloEngine's options checked at setup: each problem names its option. */
export class SloEngineOptionsError extends IssueListError {
  constructor(issues: readonly { path: string; message: string }[]) {
    super('invalid createSloEngine options', issues);
  }
}

/**
 * labelValueLengthLimit: a whole number of bytes, at least 1, no shorter than any SLI match value
 * (a longer one would select no series); the default without one.
 */
function checkLabelValueLengthLimit(limit: unknown, slos: readonly SloModel[]): number {
  if (limit === undefined) return DEFAULT_LABEL_VALUE_LENGTH_LIMIT;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)
    throw new SloEngineOptionsError([
      {
        path: 'labelValueLengthLimit',
        message: `expected a whole number of bytes, at least 1 (default ${DEFAULT_LABEL_VALUE_LENGTH_LIMIT}); got ${
          typeof limit === 'number' ? String(limit) : typeof limit
        }`,
      },
    ]);
  const long = matchValuesLongerThan(slos, limit);
  if (long.length > 0) throw new SloEngineOptionsError(long.map((value) => longMatchIssue(limit, value)));
  return limit;
}

type Matcher = (attributes: Readonly<Record<string, unknown>> | undefined) => boolean;

export function createSloEngine(spec: TelemetrySpec, options: SloEngineOptions = {}): SloEngine {
  const clock = options.now ?? Date.now;
  const models = resolveSpec(spec).slos;
  const valueLimit = checkLabelValueLengthLimit(options.labelValueLengthLimit, models);
  const compile = (match: AttributeMatch | undefined) => compileMatch(match, valueLimit);
  const states = new Map<string, SloState>();
  for (const model of models) {
    const ringByWindow = new Map<string, WindowRing>();
    for (const window of model.windows) {
      ringByWindow.set(window, new WindowRing(parseWindow(model, window), options.bucketsPerWindow));
    }
    states.set(model.name, new SloState(model, ringByWindow));
  }
  let dropped = 0;
  let lastName: string | undefined;
  let lastState: SloState | undefined;

  const recordInto = (state: SloState, good: boolean, count: number): void => {
    state.record(clock(), count, good ? 0 : count);
  };

  const histograms: Record<string, MeasurementListener[]> = {};
  const counters: Record<string, MeasurementListener[]> = {};
  const selfCounters: Record<string, MeasurementListener[]> = {};
  for (const state of states.values()) {
    const sli = state.model.sli;
    if (sli.kind === 'pipeline') {
      const counted = compile({ signal: sli.signals });
      const listener =
        (good: boolean): MeasurementListener =>
        (value, attributes) => {
          if (value > 0 && value !== Infinity && counted(attributes)) recordInto(state, good, value);
        };
      (selfCounters[sdkSeries.telemetryExported] ??= []).push(listener(true));
      (selfCounters[sdkSeries.telemetryDropped] ??= []).push(listener(false));
      continue;
    }
    const where = compile(sli.where);
    if (sli.kind === 'latency') {
      const threshold = sli.threshold;
      (histograms[sli.histogram] ??= []).push((value, attributes) => {
        if (where(attributes)) recordInto(state, value <= threshold, 1);
      });
    } else {
      const bad = compile(sli.bad);
      const listener: MeasurementListener =
        sli.instrument === 'counter'
          ? (value, attributes) => {
              if (value > 0 && where(attributes)) recordInto(state, !bad(attributes), value);
            }
          : (_value, attributes) => {
              if (where(attributes)) recordInto(state, !bad(attributes), 1);
            };
      ((sli.instrument === 'counter' ? counters : histograms)[sli.metric] ??= []).push(listener);
    }
  }

  return {
    listeners: { histograms, counters, selfCounters },
    get dropped() {
      return dropped;
    },
    record(sloName, good, count = 1) {
      // A caller records the same SLO over and over: a string compare instead of a map lookup.
      const state = sloName === lastName ? lastState : states.get(sloName);
      if (state === undefined || !(count > 0) || count === Infinity) {
        dropped++;
        return;
      }
      lastName = sloName;
      lastState = state;
      recordInto(state, good, count);
    },
    status(now = clock()) {
      return [...states.values()].map((state) => {
        state.flush();
        return statusOf(state, now);
      });
    },
  };
}

function statusOf(state: SloState, now: number): SloStatus {
  const counts = new Map<string, { total: number; bad: number }>();
  for (const [window, ring] of state.ringByWindow) counts.set(window, ring.sum(now));
  return statusFromCounts(state.model, counts);
}

/**
 * An SLO's status from event counts per window (every window of the model). Shared by the
 * in-process engine and the live evaluator, so both report the same numbers the same way.
 */
export function statusFromCounts(
  model: SloModel,
  counts: ReadonlyMap<string, { readonly total: number; readonly bad: number }>,
): SloStatus {
  const windows = new Map<string, WindowStatus>();
  for (const window of model.windows) {
    const { total, bad } = counts.get(window) ?? { total: 0, bad: 0 };
    const ratio = errorRatio(bad, total);
    windows.set(window, {
      window,
      windowMs: parseWindow(model, window),
      events: total,
      badEvents: bad,
      errorRatio: ratio,
      burnRate: burnRate(ratio, model.errorBudget),
    });
  }
  const tiers = model.tiers.map((tier): TierStatus => {
    const long = windows.get(tier.longWindow)!;
    const short = windows.get(tier.shortWindow)!;
    // Compared as ratio > factor x budget, the same float the generated PromQL compares.
    const over = long.errorRatio > tier.threshold && short.errorRatio > tier.threshold;
    const enough = long.events >= model.minEvents;
    return {
      tier: tier.name,
      severity: tier.severity,
      burnRateThreshold: tier.burnRate,
      longWindow: tier.longWindow,
      shortWindow: tier.shortWindow,
      longBurnRate: long.burnRate,
      shortBurnRate: short.burnRate,
      firing: over && enough,
      heldByMinEvents: over && !enough,
    };
  });
  const whole = windows.get(model.window)!;
  const remaining = errorBudgetRemaining(whole.errorRatio, model.errorBudget);
  const currentBurnWindow = model.tiers[0]?.longWindow ?? model.windows[0]!;
  const currentBurnRate = windows.get(currentBurnWindow)!.burnRate;
  const exhaustion = timeToExhaustionMs(remaining, currentBurnRate, model.windowMs);
  return {
    slo: model.name,
    objective: model.objective,
    errorBudget: model.errorBudget,
    window: model.window,
    sli: 1 - whole.errorRatio,
    windows: [...windows.values()],
    tiers,
    errorBudgetRemaining: remaining,
    currentBurnRate,
    currentBurnWindow,
    timeToExhaustionMs: Number.isFinite(exhaustion) ? exhaustion : null,
  };
}

function parseWindow(model: SloModel, window: string): number {
  if (window === model.window) return model.windowMs;
  const tier = model.tiers.find((t) => t.longWindow === window || t.shortWindow === window)!;
  return tier.longWindow === window ? tier.longWindowMs : tier.shortWindowMs;
}

/**
 * Every attribute of the match has one of its values (values compared as strings), compiled to a
 * predicate once: the listeners run on every measurement of the instrument. A value is read as
 * /metrics writes it (canonicalValue): an absent or null attribute is "", and an empty value
 * matches it, as PromQL's `label=""` selects the series without the label; a value longer than
 * `valueLimit` UTF-8 bytes is cut, as its series' label is.
 */
function compileMatch(match: AttributeMatch | undefined, valueLimit: number): Matcher {
  const terms = Object.entries(match ?? {}).map(([key, values]) => termOf(key, values, valueLimit));
  if (terms.length === 0) return () => true;
  if (terms.length === 1) return terms[0]!;
  return (attributes) => {
    for (let i = 0; i < terms.length; i++) if (!terms[i]!(attributes)) return false;
    return true;
  };
}

function termOf(key: string, values: readonly string[], valueLimit: number): Matcher {
  // A string of at most valueLimit / 3 UTF-16 units fits in valueLimit bytes: no cut to look for.
  const bounded = (text: string): string =>
    text.length * 3 <= valueLimit ? text : (boundLabelValue(text, valueLimit) ?? text);
  const valueOf = (attributes: Readonly<Record<string, unknown>> | undefined): string =>
    bounded(canonicalValue(attributes?.[key] as AttributeValue | undefined));
  if (values.some(isPattern)) {
    // No pattern matches "" (stars alone are "any value present"): only a listed "" does.
    const test = valueMatcher(values);
    const empty = values.includes('');
    return (attributes) => {
      const value = valueOf(attributes);
      return value === '' ? empty : test(value);
    };
  }
  if (values.length === 1) {
    const only = values[0]!;
    // The spec check keeps `only` within the limit, so a value equal to it is never cut; one that
    // differs may still be cut to it when it is longer than the limit.
    return (attributes) => {
      const value = attributes?.[key];
      if (value === only) return true;
      if (typeof value === 'string') return value.length * 3 > valueLimit && bounded(value) === only;
      return valueOf(attributes) === only;
    };
  }
  const set = new Set(values);
  return (attributes) => set.has(valueOf(attributes));
}

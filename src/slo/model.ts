// The SLO model every consumer reads: tiers resolved (defaults, overrides, turned off), windows
// parsed, the SLI tied to its instrument. Built once from a checked spec, as part of the spec
// model (spec/model.ts resolveSpec); independent of whether the SLO came from the telemetry
// spec or from OpenSLO.

import {
  PIPELINE_EXPORT_SIGNALS,
  type AttributeMatch,
  type PipelineExportSignal,
  type SliSpec,
  type SloSpec,
  type SloWindow,
  type TelemetrySpec,
} from '../spec/types.js';
import { errorBudget, tierThreshold } from './burn-rate.js';
import { parseDuration } from './duration.js';
import { WORKBOOK_TIERS, defaultTiers } from './windows.js';

export const DEFAULT_MIN_EVENTS = 10;

export interface TierModel {
  readonly name: string;
  readonly severity: 'page' | 'ticket';
  readonly burnRate: number;
  /**
   * Share of the SLO window's error budget the tier lets burn in its long window, in percent:
   * the workbook's share for a default tier (10 for ticket-slow), else burnRate x long window /
   * SLO window. A default factor is rounded (7d ticket-slow: 7/30 as 0.233333), so the share
   * worked out from it would read 9.99999.
   */
  readonly budgetPercent: number;
  /** The error ratio both windows must exceed: burnRate x error budget. */
  readonly threshold: number;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly longWindowMs: number;
  readonly shortWindowMs: number;
}

export type SliModel =
  | {
      readonly kind: 'availability';
      readonly instrument: 'counter' | 'histogram';
      readonly metric: string;
      readonly bad: AttributeMatch;
      readonly where: AttributeMatch;
    }
  | {
      readonly kind: 'latency';
      readonly histogram: string;
      readonly threshold: number;
      readonly where: AttributeMatch;
    }
  | {
      /** Good: plumbline_telemetry_exported_total; bad: plumbline_telemetry_dropped_total (any reason). */
      readonly kind: 'pipeline';
      /** The `signal` label values read, in the spec's order (default: all exported signals). */
      readonly signals: readonly PipelineExportSignal[];
    };

export interface SloModel {
  readonly name: string;
  readonly description: string;
  readonly objective: number;
  /** 1 - objective/100, e.g. 0.001. */
  readonly errorBudget: number;
  readonly window: SloWindow;
  readonly windowMs: number;
  readonly minEvents: number;
  readonly sli: SliModel;
  /** Enabled tiers, fastest (highest burn rate) first; ties keep the spec's order. */
  readonly tiers: readonly TierModel[];
  /** Every window some consumer needs, shortest first: tier windows plus the SLO window. */
  readonly windows: readonly string[];
}

/** Resolves one SLO; assumes the spec passed validateSpec (its checkSlos among the checks). */
export function resolveSlo(
  name: string,
  slo: SloSpec,
  spec: Pick<TelemetrySpec, 'counters' | 'histograms'>,
): SloModel {
  const window = slo.window ?? '30d';
  const windowMs = parseDuration(window)!;
  const budget = errorBudget(slo.objective);
  const defaults = defaultTiers(window);
  const merged: Record<string, (typeof slo.alerting & object)[string]> = {
    ...defaults,
    ...(slo.alerting ?? {}),
  };
  const tiers: TierModel[] = [];
  for (const [tierName, tier] of Object.entries(merged)) {
    if (tier === false) continue;
    const longWindowMs = parseDuration(tier.longWindow)!;
    const workbook =
      tier === defaults[tierName] ? WORKBOOK_TIERS.find((row) => row.name === tierName) : undefined;
    tiers.push({
      name: tierName,
      severity: tier.severity,
      burnRate: tier.burnRate,
      budgetPercent: workbook?.budgetPercent ?? (tier.burnRate * longWindowMs * 100) / windowMs,
      threshold: tierThreshold(tier.burnRate, budget),
      longWindow: tier.longWindow,
      shortWindow: tier.shortWindow,
      longWindowMs,
      shortWindowMs: parseDuration(tier.shortWindow)!,
    });
  }
  tiers.sort((a, b) => b.burnRate - a.burnRate);
  const windows = new Map<string, number>([[window, windowMs]]);
  for (const tier of tiers) {
    windows.set(tier.longWindow, tier.longWindowMs);
    windows.set(tier.shortWindow, tier.shortWindowMs);
  }
  return {
    name,
    description: slo.description,
    objective: slo.objective,
    errorBudget: budget,
    window,
    windowMs,
    minEvents: slo.minEvents ?? DEFAULT_MIN_EVENTS,
    sli: resolveSli(slo.sli, spec),
    tiers,
    windows: [...windows.entries()].sort((a, b) => a[1] - b[1]).map(([text]) => text),
  };
}

function resolveSli(sli: SliSpec, spec: Pick<TelemetrySpec, 'counters' | 'histograms'>): SliModel {
  switch (sli.kind) {
    case 'availability':
      return {
        kind: 'availability',
        instrument: spec.counters?.[sli.metric] !== undefined ? 'counter' : 'histogram',
        metric: sli.metric,
        bad: sli.bad,
        where: sli.where ?? {},
      };
    case 'latency':
      return { kind: 'latency', histogram: sli.histogram, threshold: sli.threshold, where: sli.where ?? {} };
    case 'pipeline':
      return { kind: 'pipeline', signals: sli.signals ?? PIPELINE_EXPORT_SIGNALS };
  }
}

// The SRE workbook's multiwindow, multi-burn-rate alert table, kept as data with its source.
// Source: https://sre.google/workbook/alerting-on-slos/#6-multiwindow-multi-burn-rate-alerts
// (table 5-8), as sloth keeps it in internal/alert/windows/google-30d.yaml.

import type { AlertTierSpec, SloWindow } from '../spec/types.js';
import { parseDuration } from './duration.js';

export interface WorkbookTier {
  readonly name: string;
  readonly severity: 'page' | 'ticket';
  /** Share of the whole SLO window's error budget spent within the long window, in percent. */
  readonly budgetPercent: number;
  readonly longWindow: string;
  readonly shortWindow: string;
}

/** The workbook's four tiers for a 30-day SLO (2% of budget in 1h pages, and so on). */
export const WORKBOOK_TIERS: readonly WorkbookTier[] = [
  { name: 'page-fast', severity: 'page', budgetPercent: 2, longWindow: '1h', shortWindow: '5m' },
  { name: 'page-slow', severity: 'page', budgetPercent: 5, longWindow: '6h', shortWindow: '30m' },
  { name: 'ticket-fast', severity: 'ticket', budgetPercent: 10, longWindow: '1d', shortWindow: '2h' },
  { name: 'ticket-slow', severity: 'ticket', budgetPercent: 10, longWindow: '3d', shortWindow: '6h' },
];

export const SLO_WINDOWS: readonly SloWindow[] = ['30d', '28d', '7d'];

/**
 * Burn-rate factor of a tier: the budget share spent in the long window, times the SLO window
 * over the long window (2% x 30d / 1h = 14.4). Rounded to 6 significant digits so 28d gives
 * 13.44, not 13.439999999999998, in the rule text.
 */
export function burnRateFactor(budgetPercent: number, sloWindowMs: number, longWindowMs: number): number {
  return Number(((budgetPercent / 100) * (sloWindowMs / longWindowMs)).toPrecision(6));
}

/**
 * The default tiers for an SLO window. The windows and budget shares stay as in the workbook;
 * the factor scales with the SLO window (28d: 13.44x / 5.6x / 2.8x / 0.933x; 7d: 3.36x / 1.4x /
 * 0.7x / 0.233x), so each tier still fires when the same share of the budget is gone.
 */
export function defaultTiers(window: SloWindow): Record<string, AlertTierSpec> {
  const sloWindowMs = parseDuration(window)!;
  const tiers: Record<string, AlertTierSpec> = {};
  for (const tier of WORKBOOK_TIERS) {
    tiers[tier.name] = {
      severity: tier.severity,
      burnRate: burnRateFactor(tier.budgetPercent, sloWindowMs, parseDuration(tier.longWindow)!),
      longWindow: tier.longWindow,
      shortWindow: tier.shortWindow,
    };
  }
  return tiers;
}

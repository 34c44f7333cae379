// Turns engine status into gauge rows named by sloSeries, for the metrics registry's
// exposition and for /healthz; the row shape is the one a Prometheus gauge needs.

import { sloSeries } from '../spec/naming.js';
import type { SloStatus } from './engine.js';

export interface GaugeRow {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly samples: readonly { readonly labels: Readonly<Record<string, string>>; readonly value: number }[];
}

export function sloStatusRows(statuses: readonly SloStatus[]): GaugeRow[] {
  return [
    {
      name: sloSeries.burnRateGauge,
      help: 'Error-budget burn rate of an SLO over a window (1 = spends the budget exactly over the SLO window).',
      labelNames: ['slo', 'window'],
      samples: statuses.flatMap((s) =>
        s.windows.map((w) => ({ labels: { slo: s.slo, window: w.window }, value: w.burnRate })),
      ),
    },
    {
      name: sloSeries.errorBudgetRemainingGauge,
      help: 'Share of the SLO window error budget still left (1 untouched, 0 or below spent).',
      labelNames: ['slo'],
      samples: statuses.map((s) => ({ labels: { slo: s.slo }, value: s.errorBudgetRemaining })),
    },
    {
      name: sloSeries.alertFiringGauge,
      help: 'Whether a burn-rate alert tier of an SLO fires in-process (1) or not (0).',
      labelNames: ['slo', 'tier', 'severity'],
      samples: statuses.flatMap((s) =>
        s.tiers.map((t) => ({
          labels: { slo: s.slo, tier: t.tier, severity: t.severity },
          value: t.firing ? 1 : 0,
        })),
      ),
    },
  ];
}

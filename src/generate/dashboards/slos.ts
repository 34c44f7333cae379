// The SLO dashboard: per SLO its SLI over the SLO window, the burn rate of each alerting tier's
// long and short window against the tier's factor, the error budget left and the alert state.
import { formatPrometheusFloat, sdkSeries, sloSeries } from '../../spec/naming.js';
import { resolveSpec } from '../../spec/model.js';
import type { TelemetrySpec } from '../../spec/types.js';
import type { DashboardIdentity, GeneratedDashboard, LintExclusion } from './options.js';
import { PanelLayout, statPanel, timeseriesPanel } from './panels.js';
import { scopedSelector, sumRate } from './promql.js';
import { recorded } from '../rules/prometheus-rules.js';
import { labelMatcher } from '../../spec/promql.js';
import { dashboardString } from './grafana-text.js';
import { dashboardShell } from './shell.js';

const RECORDING_RULE_REASON =
  'SLO recording rules aggregate over every job and instance of the service and carry only the service and slo labels.';

export function slosDashboard(spec: TelemetrySpec, identity: DashboardIdentity): GeneratedDashboard {
  const title = `${spec.service.name}: SLOs`;
  const builder = dashboardShell({
    uid: identity.uid('slos'),
    title,
    description: `Service level objectives of ${spec.service.name}: SLI, burn rates per alerting tier, error budget, alert state.`,
    tags: identity.tags,
    scopeMetric: 'up',
    traces: false,
  });
  const layout = new PanelLayout(builder);
  const exclusions: LintExclusion[] = [];
  const excludeScope = (panel: string): void => {
    for (const rule of ['target-job-rule', 'target-instance-rule']) {
      exclusions.push({ rule, reason: RECORDING_RULE_REASON, dashboard: title, panel });
    }
  };

  // Tiers (defaults scaled to the SLO window, overrides, tiers turned off) come from the SLO
  // model the rule generator and the in-process calculator also read.
  for (const slo of resolveSpec(spec).slos) {
    const { name, window, tiers } = slo;
    const budget = slo.errorBudget;
    const sloMatcher = `slo=${dashboardString(name)}`;
    // The series of the SLO's recording rules, spelled as the burn-rate alerts and their
    // annotations spell them: the SLI is the window's ratio of rates (the recording rule for the
    // SLO window), the number the alerts' "budget spent" and `plumbline slo evaluate` report.
    const ruleLabels = { service: spec.service.name, slo: name };
    const windowRatio = recorded(sloSeries.errorRatio(window), ruleLabels);
    layout.row(`SLO ${name}: ${slo.objective}% over ${window}`);

    const sliTitle = `${name}: SLI over ${window}`;
    layout.panel(
      statPanel({
        title: sliTitle,
        description: `${slo.description} Good share of events over ${window}: 1 minus the ${window} error ratio the SLO rules record (bad over total events in the window), the ratio the burn-rate alerts and \`plumbline slo evaluate\` report.`,
        unit: 'percentunit',
        decimals: sliDecimals(slo.objective),
        targets: [{ expr: `1 - ${windowRatio}`, legend: 'SLI' }],
        steps: [
          { value: null, color: 'red' },
          { value: slo.objective / 100, color: 'green' },
        ],
      }),
      6,
      6,
    );
    excludeScope(sliTitle);
    layout.panel(
      statPanel({
        title: `${name}: error budget remaining`,
        description: `Share of the ${window} error budget (${formatPrometheusFloat(budget)} of events) not yet spent, from the in-process calculator; the lowest over instances.`,
        unit: 'percentunit',
        decimals: 1,
        targets: [
          {
            expr: `min(${scopedSelector(sloSeries.errorBudgetRemainingGauge, [sloMatcher])})`,
            legend: 'remaining',
          },
        ],
        steps: [
          { value: null, color: 'red' },
          { value: 0, color: 'orange' },
          { value: 0.25, color: 'green' },
        ],
      }),
      6,
      6,
    );
    layout.panel(
      statPanel({
        title: `${name}: alert state`,
        description: 'Whether each burn-rate tier is firing (1) or not (0), from the in-process calculator.',
        unit: 'none',
        targets: [
          {
            expr: `max by (tier, severity) (${scopedSelector(sloSeries.alertFiringGauge, [sloMatcher])})`,
            legend: '{{tier}} ({{severity}})',
          },
        ],
        valueText: { '0': { text: 'OK', color: 'green' }, '1': { text: 'FIRING', color: 'red' } },
        steps: [
          { value: null, color: 'green' },
          { value: 1, color: 'red' },
        ],
      }),
      12,
      6,
    );
    if (slo.sli.kind === 'pipeline') layout.panel(pipelineSliPanel(name, slo.sli.signals));
    for (const tier of tiers) {
      const tierTitle = `${name}: burn rate ${tier.name} (${tier.severity}, ${tier.burnRate}x over ${tier.longWindow} and ${tier.shortWindow})`;
      layout.panel(
        timeseriesPanel({
          title: tierTitle,
          description: `Error ratio over each window divided by the allowed ${formatPrometheusFloat(budget)}; the tier fires when both windows are above the dashed ${tier.burnRate}x line.`,
          unit: 'short',
          min: 0,
          targets: [tier.longWindow, tier.shortWindow].map((tierWindow) => ({
            expr: `${recorded(sloSeries.errorRatio(tierWindow), ruleLabels)} / ${formatPrometheusFloat(budget)}`,
            legend: `${tierWindow} window`,
          })),
          thresholdLines: [tier.burnRate],
        }),
      );
      excludeScope(tierTitle);
    }
    layout.panel(
      timeseriesPanel({
        title: `${name}: in-process burn rate`,
        description:
          'Burn rate per window as the service computes it itself, to compare with the rule-based one.',
        unit: 'short',
        min: 0,
        targets: [
          {
            expr: `max by (window) (${scopedSelector(sloSeries.burnRateGauge, [sloMatcher])})`,
            legend: '{{window}}',
          },
        ],
        thresholdLines: [...new Set(tiers.map((tier) => tier.burnRate))].sort((a, b) => a - b),
      }),
    );
  }
  return { dashboard: builder.build(), lintExclusions: exclusions };
}

/** A pipeline SLI's good and bad events as /metrics counts them: what failed, and why. */
function pipelineSliPanel(name: string, signals: readonly string[]) {
  const signalMatcher = labelMatcher('signal', signals, dashboardString);
  return timeseriesPanel({
    title: `${name}: exported and dropped by signal and reason`,
    description: `The events this SLI counts: items exported over OTLP without error (good) and items dropped (bad), per second. A dropped reason of export_failed points at the collector (down, refusing or slow), queue_full at a burst over the SDK's export queue, busy at a metric export still running when the next began.`,
    unit: 'ops',
    min: 0,
    targets: [
      {
        expr: sumRate(scopedSelector(sdkSeries.telemetryExported, [signalMatcher]), ['signal']),
        legend: 'exported {{signal}}',
      },
      {
        expr: sumRate(scopedSelector(sdkSeries.telemetryDropped, [signalMatcher]), ['signal', 'reason']),
        legend: 'dropped {{signal}} ({{reason}})',
      },
    ],
  });
}

/**
 * Decimals of the SLI stat, in percent: one more than the objective has, at least 3. With 3 for
 * every SLO, a 99.999% objective showed a breached SLI of 99.9986% as "99.999%" (in red), and one
 * of 99.99999% showed every SLI, met or not, as "100.000%".
 */
function sliDecimals(objective: number): number {
  const written = String(Number(objective.toPrecision(12)));
  const decimals = written.includes('.') ? written.length - written.indexOf('.') - 1 : 0;
  return Math.max(3, decimals + 1);
}

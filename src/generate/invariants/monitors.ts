// What the invariants doc may name as a monitor, read from the generators themselves: the metric
// names the spec, the SDK, the rules and the collector produce; the alert rules (SLO and
// pipeline) with their runbook anchors; the dashboard panels and the series they query.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { prometheusBaseName, prometheusCounterName, sdkSeries, sloSeries } from '../../spec/naming.js';
import type { TelemetrySpec } from '../../spec/types.js';
import { collectorMetrics, scrapeUpMetric, sdkSelfMetrics } from '../pipeline-series.js';
import { buildDashboards } from '../dashboards/render.js';
import { runbookAnchor } from './anchors.js';
import { INVARIANTS_DOC_PATH, type ResolvedInvariantsDocOptions } from './options.js';
import { PIPELINE_RULES_FILE, pipelineAlertRules } from '../rules/pipeline-alerts.js';
import { ruleFileName, sloRuleGroups, type Rule } from '../rules/prometheus-rules.js';

export type MetricSource = 'spec' | 'sdk' | 'slo-rules' | 'collector' | 'prometheus';

/** Every metric name the doc may cite, with where it comes from. */
export type MetricCatalogue = ReadonlyMap<string, MetricSource>;

/** One alerting rule as the doc lists it. */
export interface AlertRef {
  readonly alert: string;
  readonly severity: string;
  /** The labels that tell rules of one name apart (slo, tier), in rule order. */
  readonly labels: Readonly<Record<string, string>>;
  /** The rule file under alerts/. */
  readonly file: string;
  readonly runbookUrl: string;
  /** The fragment of runbookUrl in the doc; undefined when it points elsewhere. */
  readonly anchor: string | undefined;
}

/** One dashboard panel as the doc names it. */
export interface PanelRef {
  readonly dashboardTitle: string;
  /** File under dashboards/. */
  readonly file: string;
  readonly panelTitle: string;
}

export type DashboardKind = 'overview' | 'slos' | 'pipeline';

/** Picks a panel: of this dashboard, querying this series, optionally of a type or with a matcher. */
export interface PanelSelector {
  readonly dashboard: DashboardKind;
  readonly metric: string;
  readonly type?: string;
  /** Text the panel's query holds; a list: every entry (an SLI's bad matcher and its where). */
  readonly exprIncludes?: string | readonly string[];
}

interface PanelView {
  readonly type: string;
  readonly title: string;
  readonly exprs: readonly string[];
}

/** Everything the model reads from the other generators, computed once per render. */
export interface Monitors {
  readonly metrics: MetricCatalogue;
  readonly alerts: readonly AlertRef[];
  /** Rule files under alerts/, in the order the deploy section lists them. */
  readonly ruleFiles: readonly string[];
  /** Dashboard files (JSON) under dashboards/. */
  readonly dashboardFiles: readonly string[];
  panel(selector: PanelSelector): PanelRef;
}

export function collectMonitors(spec: TelemetrySpec, options: ResolvedInvariantsDocOptions): Monitors {
  const sloRules = sloRuleGroups(spec, options.prometheusRules).flatMap((group) => group.rules);
  const metrics = metricCatalogue(spec, sloRules);
  const sloFile = ruleFileName(spec);
  const base = options.runbookBaseUrl;
  const alerts: AlertRef[] = [];
  for (const rule of sloRules) {
    if (rule.alert === undefined) continue;
    const runbookUrl = rule.annotations?.runbook_url ?? '';
    alerts.push({
      alert: rule.alert,
      severity: rule.labels?.severity ?? '',
      labels: pick(rule.labels ?? {}, ['slo', 'tier']),
      file: sloFile,
      runbookUrl,
      anchor: runbookAnchor(runbookUrl, base, INVARIANTS_DOC_PATH),
    });
  }
  for (const rule of pipelineAlertRules(options.pipelineAlerts)) {
    alerts.push({
      alert: rule.alert,
      severity: rule.labels.severity,
      labels: {},
      file: PIPELINE_RULES_FILE,
      runbookUrl: rule.annotations.runbook_url,
      anchor: runbookAnchor(rule.annotations.runbook_url, base, INVARIANTS_DOC_PATH),
    });
  }
  const dashboards = buildDashboards(spec, options.dashboards);
  const byKind = new Map<DashboardKind, { file: string; title: string; panels: PanelView[] }>();
  for (const [file, dashboard] of dashboards) {
    const kind = (['overview', 'slos', 'pipeline'] as const).find((k) => file.endsWith(`-${k}.json`));
    if (kind !== undefined)
      byKind.set(kind, { file, title: dashboard.title ?? file, panels: panelViews(dashboard) });
  }
  return {
    metrics,
    alerts,
    ruleFiles: [sloFile, PIPELINE_RULES_FILE],
    dashboardFiles: [...dashboards.keys()],
    panel(selector) {
      const dashboard = byKind.get(selector.dashboard);
      const found = dashboard?.panels.find(
        (panel) =>
          (selector.type === undefined || panel.type === selector.type) &&
          panel.exprs.some(
            (expr) =>
              mentionsMetric(expr, selector.metric) &&
              [selector.exprIncludes ?? []].flat().every((text) => expr.includes(text)),
          ),
      );
      if (dashboard === undefined || found === undefined) {
        throw new Error(
          `invariants doc: no ${selector.type ?? ''} panel of the ${selector.dashboard} dashboard queries ${selector.metric}` +
            `${selector.exprIncludes === undefined ? '' : ` with ${[selector.exprIncludes].flat().join(' and ')}`}; the dashboards generator changed`,
        );
      }
      return { dashboardTitle: dashboard.title, file: dashboard.file, panelTitle: found.title };
    },
  };
}

/**
 * The catalogue: spec instruments spelled by naming.ts (histograms as _bucket/_sum/_count),
 * the SDK's self-metrics, the SLO recording rules the rule generator writes and the in-process
 * SLO gauges, the collector's own metrics, and Prometheus' `up`.
 */
export function metricCatalogue(spec: TelemetrySpec, sloRules?: readonly Rule[]): MetricCatalogue {
  const catalogue = new Map<string, MetricSource>();
  for (const [name, histogram] of Object.entries(spec.histograms ?? {})) {
    const base = prometheusBaseName(name, histogram.unit);
    for (const suffix of ['_bucket', '_sum', '_count']) catalogue.set(base + suffix, 'spec');
  }
  for (const [name, counter] of Object.entries(spec.counters ?? {})) {
    catalogue.set(prometheusCounterName(name, counter.unit), 'spec');
  }
  for (const [name, gauge] of Object.entries(spec.gauges ?? {}))
    catalogue.set(prometheusBaseName(name, gauge.unit), 'spec');
  for (const name of [
    sdkSeries.metricsDropped,
    sdkSeries.metricsOverflow,
    sdkSeries.exemplarAttributesDropped,
    sdkSeries.telemetryExported,
    sdkSeries.telemetryDropped,
    ...Object.values(sdkSelfMetrics),
  ]) {
    catalogue.set(name, 'sdk');
  }
  for (const name of [
    sloSeries.burnRateGauge,
    sloSeries.errorBudgetRemainingGauge,
    sloSeries.alertFiringGauge,
  ]) {
    catalogue.set(name, 'sdk');
  }
  for (const rule of sloRules ?? sloRuleGroups(spec).flatMap((group) => group.rules)) {
    if (rule.record !== undefined) catalogue.set(rule.record, 'slo-rules');
  }
  for (const name of Object.values(collectorMetrics)) catalogue.set(name, 'collector');
  catalogue.set(scrapeUpMetric, 'prometheus');
  return catalogue;
}

/** True when `metric` appears in a PromQL expression as a whole series name. */
export function mentionsMetric(expr: string, metric: string): boolean {
  let from = 0;
  for (;;) {
    const at = expr.indexOf(metric, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : expr[at - 1]!;
    const after = expr[at + metric.length] ?? '';
    if (!/[A-Za-z0-9_:]/.test(before) && !/[A-Za-z0-9_:]/.test(after)) return true;
    from = at + 1;
  }
}

function panelViews(dashboard: Dashboard): PanelView[] {
  const views: PanelView[] = [];
  for (const panel of (dashboard.panels ?? []) as unknown as readonly Record<string, unknown>[]) {
    const targets = Array.isArray(panel.targets) ? (panel.targets as readonly Record<string, unknown>[]) : [];
    views.push({
      type: typeof panel.type === 'string' ? panel.type : '',
      title: typeof panel.title === 'string' ? panel.title : '',
      exprs: targets.map((target) => (typeof target.expr === 'string' ? target.expr : '')),
    });
  }
  return views;
}

function pick(labels: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) if (labels[key] !== undefined) picked[key] = labels[key];
  return picked;
}
